//===- AxisInfo.cpp - Contiguity, divisibility, constancy -----------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "AxisInfo.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>

using namespace mlir;
using namespace kdsl;

namespace {

constexpr int64_t kMaxDivisibility = int64_t(1) << 30;

/// The length of the last dimension (1 for a scalar).
int64_t lastDim(Value value) {
  if (auto tensor = dyn_cast<RankedTensorType>(value.getType()))
    return tensor.getRank() ? tensor.getShape().back() : 1;
  return 1;
}

int64_t elementBytes(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    type = tensor.getElementType();
  if (auto ptr = dyn_cast<PtrType>(type))
    type = ptr.getPointeeType();
  unsigned bits = type.getIntOrFloatBitWidth();
  return bits <= 8 ? 1 : bits / 8;
}

/// The largest power of two dividing `v` (capped).
int64_t powerOfTwoFactor(int64_t v) {
  if (v == 0)
    return kMaxDivisibility;
  uint64_t u = static_cast<uint64_t>(v < 0 ? -v : v);
  return std::min<int64_t>(static_cast<int64_t>(u & (~u + 1)),
                           kMaxDivisibility);
}

int64_t gcd(int64_t a, int64_t b) { return std::gcd(a, b); }

} // namespace

AxisInfo AxisInfoAnalysis::get(Value value) {
  auto it = cache.find(value);
  if (it != cache.end())
    return it->second;
  AxisInfo info = compute(value);
  int64_t dim = lastDim(value);
  info.contiguity = std::max<int64_t>(1, std::min(info.contiguity, dim));
  info.constancy = std::max<int64_t>(1, std::min(info.constancy, dim));
  info.divisibility =
      std::max<int64_t>(1, std::min(info.divisibility, kMaxDivisibility));
  cache[value] = info;
  return info;
}

AxisInfo AxisInfoAnalysis::compute(Value value) {
  AxisInfo info = computeRuns(value);
  info.nonNegative = isNonNegative(value);
  return info;
}

std::optional<StringRef> AxisInfoAnalysis::paramName(Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  auto kernel =
      arg ? dyn_cast<KernelOp>(arg.getOwner()->getParentOp()) : KernelOp();
  if (!kernel)
    return std::nullopt;
  return cast<StringAttr>(kernel.getParamNames()[arg.getArgNumber()])
      .getValue();
}

/// Whether `value` is the integer 1: a constant or a parameter known to be
/// 1, or a splat, broadcast or extension of one (not a sign extension of an
/// i1, which makes true -1).
bool AxisInfoAnalysis::isOne(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    auto extsi = dyn_cast<arith::ExtSIOp>(def);
    if (!(isa<SplatOp, BroadcastOp, ExpandDimsOp, ConvertLayoutOp,
              arith::ExtUIOp>(def) ||
          (extsi && extsi.getIn().getType().getIntOrFloatBitWidth() > 1)))
      break;
    value = def->getOperand(0);
  }
  std::optional<StringRef> name = paramName(value);
  return matchPattern(value, m_One()) ||
         (name && llvm::is_contained(equalToOne, *name));
}

/// Whether every value of `value` is known to be >= 0.
bool AxisInfoAnalysis::isNonNegative(Value value) {
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return !constant.isNegative();
  if (isOne(value))
    return true;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
    return loop && arg == loop.getInductionVar() &&
           get(loop.getLowerBound()).nonNegative &&
           get(loop.getStep()).nonNegative;
  }
  Operation *op = value.getDefiningOp();
  auto all = [&](ValueRange operands) {
    return llvm::all_of(operands, [&](Value v) { return get(v).nonNegative; });
  };
  return TypeSwitch<Operation *, bool>(op)
      .Case<ProgramIdOp, arith::ExtUIOp>([](Operation *) { return true; })
      .Case([&](ArangeOp arange) { return get(arange.getStart()).nonNegative; })
      .Case<SplatOp, ExpandDimsOp, BroadcastOp, ConvertLayoutOp, arith::ExtSIOp,
            arith::AddIOp, arith::MulIOp, arith::DivSIOp, arith::DivUIOp,
            arith::RemUIOp>([&](Operation *o) { return all(o->getOperands()); })
      // A remainder has the sign of the dividend.
      .Case([&](arith::RemSIOp r) { return get(r.getLhs()).nonNegative; })
      .Default([](Operation *) { return false; });
}

AxisInfo AxisInfoAnalysis::computeRuns(Value value) {
  int64_t dim = lastDim(value);
  AxisInfo unknown{1, 1, 1};
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    // Kernel parameters: pointers are aligned to their element (or to 16
    // bytes under the align16 specialization); integers are multiples of 16
    // or 1 where the specialization says so, else unknown.
    if (std::optional<StringRef> name = paramName(arg)) {
      if (isa<PtrType>(arg.getType()))
        return {1, assumeAligned ? 16 : elementBytes(arg.getType()), dim};
      bool multipleOf16 = llvm::is_contained(divisible, *name) &&
                          !llvm::is_contained(equalToOne, *name);
      return {1, multipleOf16 ? 16 : 1, dim};
    }
    // An induction variable, lb + i * step: a multiple of what divides both.
    if (auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp()))
      if (arg == loop.getInductionVar())
        return {1,
                gcd(get(loop.getLowerBound()).divisibility,
                    get(loop.getStep()).divisibility),
                dim};
    return unknown;
  }
  Operation *op = value.getDefiningOp();
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return {1, powerOfTwoFactor(constant.getSExtValue()), dim};
  auto add = [&](AxisInfo a, AxisInfo b, int64_t scaleB) -> AxisInfo {
    return {std::max(gcd(a.contiguity, b.constancy),
                     gcd(a.constancy, b.contiguity)),
            gcd(a.divisibility, b.divisibility * scaleB),
            gcd(a.constancy, b.constancy)};
  };
  return TypeSwitch<Operation *, AxisInfo>(op)
      .Case([&](ArangeOp arange) -> AxisInfo {
        return {dim, get(arange.getStart()).divisibility, 1};
      })
      .Case([&](SplatOp splat) -> AxisInfo {
        return {1, get(splat.getValue()).divisibility, dim};
      })
      .Case([&](arith::AddIOp a) {
        return add(get(a.getLhs()), get(a.getRhs()), 1);
      })
      .Case([&](AddPtrOp a) {
        return add(get(a.getPtr()), get(a.getOffset()),
                   elementBytes(a.getPtr().getType()));
      })
      .Case([&](arith::SubIOp s) -> AxisInfo {
        AxisInfo a = get(s.getLhs()), b = get(s.getRhs());
        return {gcd(a.contiguity, b.constancy),
                gcd(a.divisibility, b.divisibility),
                gcd(a.constancy, b.constancy)};
      })
      .Case([&](arith::MulIOp m) -> AxisInfo {
        // x * 1 is x: a unit stride keeps the runs of its offsets.
        if (isOne(m.getRhs()))
          return get(m.getLhs());
        if (isOne(m.getLhs()))
          return get(m.getRhs());
        // Every element of a product is its own run: a run of consecutive
        // values is divisible only as a whole's first element.
        AxisInfo a = get(m.getLhs()), b = get(m.getRhs());
        int64_t da = a.contiguity > 1 ? 1 : a.divisibility;
        int64_t db = b.contiguity > 1 ? 1 : b.divisibility;
        return {1, std::min<int64_t>(da * db, kMaxDivisibility),
                gcd(a.constancy, b.constancy)};
      })
      // A change of layout moves values, not what they are.
      .Case([&](ConvertLayoutOp c) { return get(c.getSrc()); })
      .Case([&](arith::ExtSIOp e) { return get(e.getIn()); })
      .Case([&](arith::ExtUIOp e) { return get(e.getIn()); })
      .Case([&](ExpandDimsOp e) -> AxisInfo {
        auto type = cast<RankedTensorType>(e.getType());
        if (e.getAxis() == type.getRank() - 1) {
          AxisInfo in = get(e.getSrc());
          return {1, in.contiguity > 1 ? 1 : in.divisibility, 1};
        }
        return get(e.getSrc());
      })
      .Case([&](BroadcastOp b) -> AxisInfo {
        AxisInfo in = get(b.getSrc());
        if (lastDim(b.getSrc()) == 1 && dim > 1)
          return {1, in.divisibility, dim};
        return in;
      })
      .Case<arith::RemSIOp, arith::RemUIOp>([&](Operation *o) -> AxisInfo {
        // x % n = x - n * q is divisible by what divides both. Over a run of
        // x >= 0 that starts at a multiple of k, with n a multiple of k (and
        // the same n throughout), x % n is consecutive: the only multiple of
        // n in it is its start. (A negative x restarts one element later.)
        AxisInfo x = get(o->getOperand(0)), n = get(o->getOperand(1));
        int64_t constancy = gcd(x.constancy, n.constancy);
        if (!x.nonNegative || x.contiguity == 1)
          return {1, x.contiguity > 1 ? 1 : gcd(x.divisibility, n.divisibility),
                  constancy};
        int64_t k = gcd(gcd(x.contiguity, x.divisibility),
                        gcd(n.divisibility, n.constancy));
        return {k, k, constancy};
      })
      .Case([&](arith::CmpIOp cmp) -> AxisInfo {
        AxisInfo a = get(cmp.getLhs()), b = get(cmp.getRhs());
        int64_t uniform = gcd(a.constancy, b.constancy);
        // `offs < n` is constant over runs that start at a multiple of k, are
        // contiguous, and where n is a multiple of k.
        if (b.constancy == dim)
          uniform = std::max(
              uniform, gcd(gcd(a.contiguity, a.divisibility), b.divisibility));
        return {1, 1, uniform};
      })
      .Case<arith::AndIOp, arith::OrIOp, arith::XOrIOp>([&](Operation *o) {
        AxisInfo a = get(o->getOperand(0)), b = get(o->getOperand(1));
        return AxisInfo{1, 1, gcd(a.constancy, b.constancy)};
      })
      .Case([&](arith::SelectOp s) -> AxisInfo {
        AxisInfo c = get(s.getCondition()), a = get(s.getTrueValue()),
                 b = get(s.getFalseValue());
        return {1, 1, gcd(c.constancy, gcd(a.constancy, b.constancy))};
      })
      .Default([&](Operation *) { return unknown; });
}
