//===- Interpreter.cpp - Reference execution of kdsl variants -------------===//
//
// A block is a dense array of one element type: floats are held as double
// and rounded to their type after every op, integers as int64 wrapped to
// their width, pointers as (buffer, element offset). Ops are loops over the
// elements of whole blocks.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Interpreter/Interpreter.h"
#include "kdsl/Support/ConstExpr.h"
#include "kdsl/Support/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

using namespace mlir;
using namespace kdsl;

int64_t HostBuffer::numElements() const {
  unsigned bits = elementType.getIntOrFloatBitWidth();
  return static_cast<int64_t>(bytes.size() / (bits == 1 ? 1 : bits / 8));
}

namespace {

//===----------------------------------------------------------------------===//
// Elements
//===----------------------------------------------------------------------===//

/// The element types, decided once per op or buffer rather than per element.
enum class Kind { F16, BF16, F32, F64, I1, I8, I16, I32, I64, Ptr };

Kind kindOf(Type t) {
  if (t.isF16())
    return Kind::F16;
  if (t.isBF16())
    return Kind::BF16;
  if (t.isF32())
    return Kind::F32;
  if (t.isF64())
    return Kind::F64;
  if (isa<PtrType>(t))
    return Kind::Ptr;
  switch (t.getIntOrFloatBitWidth()) {
  case 1:
    return Kind::I1;
  case 8:
    return Kind::I8;
  case 16:
    return Kind::I16;
  case 32:
    return Kind::I32;
  default:
    return Kind::I64;
  }
}

/// Rounds `v` to a float of kind `k` (nearest even), returning it as double.
inline double roundFloat(Kind k, double v) {
  switch (k) {
  case Kind::F64:
    return v;
  case Kind::F32:
    return static_cast<float>(v);
  case Kind::F16:
    return static_cast<double>(static_cast<_Float16>(v));
  default:
    break;
  }
  // bf16: round the f32 value's upper half to nearest even.
  float f = static_cast<float>(v);
  if (std::isnan(f))
    return f;
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  bits &= 0xFFFF0000u;
  std::memcpy(&f, &bits, 4);
  return f;
}

double roundFloat(Type t, double v) { return roundFloat(kindOf(t), v); }

/// Wraps `v` to a signed integer of `width` bits (bool: 0 or 1).
int64_t wrapInt(unsigned width, int64_t v) {
  if (width >= 64)
    return v;
  if (width == 1)
    return v & 1;
  return llvm::SignExtend64(static_cast<uint64_t>(v), width);
}

unsigned widthOf(Type t) { return t.getIntOrFloatBitWidth(); }

/// The value of a scalar or a block: its elements, densely, in row-major order.
struct BlockValue {
  Type elem; ///< IntegerType, FloatType or PtrType
  SmallVector<int64_t, 3> shape;
  std::vector<double> f;     ///< float elements
  std::vector<int64_t> i;    ///< integer elements; pointer offsets
  std::vector<uint32_t> buf; ///< pointer buffers

  bool isFloat() const { return isa<FloatType>(elem); }
  bool isPtr() const { return isa<PtrType>(elem); }
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  static std::shared_ptr<BlockValue> make(Type type) {
    auto b = std::make_shared<BlockValue>();
    b->elem = getElementTypeOrSelf(type);
    if (auto tensor = dyn_cast<RankedTensorType>(type))
      b->shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    int64_t n = b->size();
    if (b->isFloat())
      b->f.resize(n);
    else
      b->i.resize(n);
    if (b->isPtr())
      b->buf.resize(n);
    return b;
  }
};
using BlockRef = std::shared_ptr<BlockValue>;

//===----------------------------------------------------------------------===//
// The machine
//===----------------------------------------------------------------------===//

class Machine {
public:
  Machine(KernelOp kernel, std::array<int64_t, 3> grid,
          std::vector<HostBuffer *> buffers, std::vector<std::string> names)
      : kernel(kernel), grid(grid), buffers(std::move(buffers)),
        bufferNames(std::move(names)) {
    for (HostBuffer *buffer : this->buffers) {
      bufferKinds.push_back(kindOf(buffer->elementType));
      bufferSizes.push_back(buffer->numElements());
    }
  }

  LogicalResult runProgram(std::array<int64_t, 3> pid,
                           ArrayRef<BlockRef> args) {
    programId = pid;
    // The previous program's values are overwritten one by one as this one
    // runs (SSA order), which keeps the allocator from returning and
    // re-faulting their memory between programs.
    mlir::Block &entry = kernel.getBody().front();
    for (auto [arg, value] : llvm::zip(entry.getArguments(), args))
      env[arg] = value;
    SmallVector<BlockRef> yielded;
    return runBlock(entry, yielded);
  }

private:
  KernelOp kernel;
  std::array<int64_t, 3> grid;
  std::vector<HostBuffer *> buffers;
  std::vector<std::string> bufferNames;
  std::vector<Kind> bufferKinds;
  std::vector<int64_t> bufferSizes;
  std::array<int64_t, 3> programId = {0, 0, 0};
  llvm::DenseMap<Value, BlockRef> env;

  InFlightDiagnostic fail(Operation *op) {
    InFlightDiagnostic diag = op->emitError();
    diag << "kernel '" << kernel.getSymName() << "', program (" << programId[0]
         << ", " << programId[1] << ", " << programId[2] << "): ";
    return diag;
  }

  BlockRef get(Value v) { return env.lookup(v); }

  LogicalResult runBlock(mlir::Block &block, SmallVectorImpl<BlockRef> &out) {
    for (Operation &op : block) {
      if (isa<scf::YieldOp>(op)) {
        for (Value v : op.getOperands())
          out.push_back(get(v));
        return success();
      }
      if (isa<ReturnOp>(op))
        return success();
      if (failed(runOp(&op)))
        return failure();
    }
    return success();
  }

  //===------------------------------------------------------------------===//
  // Elementwise helpers
  //===------------------------------------------------------------------===//

  /// Result block of `op`'s single result.
  BlockRef result(Operation *op) {
    return BlockValue::make(op->getResult(0).getType());
  }

  template <typename Fn> LogicalResult mapFloat(Operation *op, Fn fn) {
    BlockRef r = result(op);
    BlockRef a = get(op->getOperand(0));
    BlockRef b = op->getNumOperands() > 1 ? get(op->getOperand(1)) : a;
    Kind kind = kindOf(r->elem);
    for (int64_t k = 0, n = r->size(); k < n; ++k)
      r->f[k] = roundFloat(kind, fn(a->f[k], b->f[k]));
    env[op->getResult(0)] = r;
    return success();
  }

  template <typename Fn> LogicalResult mapInt(Operation *op, Fn fn) {
    BlockRef r = result(op);
    BlockRef a = get(op->getOperand(0));
    BlockRef b = op->getNumOperands() > 1 ? get(op->getOperand(1)) : a;
    unsigned width = widthOf(r->elem);
    for (int64_t k = 0, n = r->size(); k < n; ++k) {
      std::optional<int64_t> v = fn(a->i[k], b->i[k], width);
      if (!v)
        return fail(op) << "integer division by zero at element " << k;
      r->i[k] = wrapInt(width, *v);
    }
    env[op->getResult(0)] = r;
    return success();
  }

  /// Unsigned view of a `width`-bit value.
  static uint64_t asUnsigned(int64_t v, unsigned width) {
    return width >= 64
               ? static_cast<uint64_t>(v)
               : static_cast<uint64_t>(v) & ((uint64_t(1) << width) - 1);
  }

  LogicalResult convert(Operation *op) {
    BlockRef r = result(op);
    BlockRef a = get(op->getOperand(0));
    unsigned fromWidth = widthOf(a->elem);
    unsigned width = r->isFloat() ? 0 : widthOf(r->elem);
    Kind kind = kindOf(r->elem);
    bool unsignedSource = isa<arith::UIToFPOp, arith::ExtUIOp>(op);
    for (int64_t k = 0, n = r->size(); k < n; ++k) {
      if (r->isFloat()) {
        double v;
        if (a->isFloat())
          v = a->f[k];
        else if (unsignedSource)
          v = static_cast<double>(asUnsigned(a->i[k], fromWidth));
        else
          v = static_cast<double>(a->i[k]);
        r->f[k] = roundFloat(kind, v);
        continue;
      }
      if (a->isFloat()) {
        // cvt.rzi: toward zero, saturating, NaN gives 0.
        double v = std::trunc(a->f[k]);
        double lo = -std::ldexp(1.0, width - 1),
               hi = std::ldexp(1.0, width - 1) - 1;
        r->i[k] = std::isnan(v) ? 0
                  : v < lo      ? int64_t(lo)
                  : v > hi      ? int64_t(hi)
                                : int64_t(v);
        continue;
      }
      int64_t v = unsignedSource
                      ? static_cast<int64_t>(asUnsigned(a->i[k], fromWidth))
                      : a->i[k];
      r->i[k] = wrapInt(width, v);
    }
    env[op->getResult(0)] = r;
    return success();
  }

  static bool compareInt(arith::CmpIPredicate p, int64_t a, int64_t b,
                         unsigned width) {
    uint64_t ua = asUnsigned(a, width), ub = asUnsigned(b, width);
    switch (p) {
    case arith::CmpIPredicate::eq:
      return a == b;
    case arith::CmpIPredicate::ne:
      return a != b;
    case arith::CmpIPredicate::slt:
      return a < b;
    case arith::CmpIPredicate::sle:
      return a <= b;
    case arith::CmpIPredicate::sgt:
      return a > b;
    case arith::CmpIPredicate::sge:
      return a >= b;
    case arith::CmpIPredicate::ult:
      return ua < ub;
    case arith::CmpIPredicate::ule:
      return ua <= ub;
    case arith::CmpIPredicate::ugt:
      return ua > ub;
    case arith::CmpIPredicate::uge:
      return ua >= ub;
    }
    return false;
  }

  static bool compareFloat(arith::CmpFPredicate p, double a, double b) {
    bool unordered = std::isnan(a) || std::isnan(b);
    using P = arith::CmpFPredicate;
    switch (p) {
    case P::AlwaysFalse:
      return false;
    case P::AlwaysTrue:
      return true;
    case P::OEQ:
      return !unordered && a == b;
    case P::OGT:
      return !unordered && a > b;
    case P::OGE:
      return !unordered && a >= b;
    case P::OLT:
      return !unordered && a < b;
    case P::OLE:
      return !unordered && a <= b;
    case P::ONE:
      return !unordered && a != b;
    case P::ORD:
      return !unordered;
    case P::UEQ:
      return unordered || a == b;
    case P::UGT:
      return unordered || a > b;
    case P::UGE:
      return unordered || a >= b;
    case P::ULT:
      return unordered || a < b;
    case P::ULE:
      return unordered || a <= b;
    case P::UNE:
      return unordered || a != b;
    case P::UNO:
      return unordered;
    }
    return false;
  }

  //===------------------------------------------------------------------===//
  // Memory
  //===------------------------------------------------------------------===//

  bool inBounds(const BlockValue &ptrs, int64_t k) const {
    int64_t offset = ptrs.i[k];
    return offset >= 0 && offset < bufferSizes[ptrs.buf[k]];
  }

  /// Checks that lane `k` of `ptrs` addresses its buffer.
  LogicalResult checkAccess(Operation *op, const BlockValue &ptrs, int64_t k,
                            const char *what) {
    uint32_t b = ptrs.buf[k];
    int64_t offset = ptrs.i[k];
    int64_t n = bufferSizes[b];
    if (offset >= 0 && offset < n)
      return success();
    return fail(op) << "unmasked " << what << " at element offset " << offset
                    << " of '" << bufferNames[b] << "', which has " << n
                    << " elements";
  }

  /// Reads element `offset` of buffer `b` into lane `k` of `into`.
  void readElement(uint32_t b, int64_t offset, BlockValue &into, int64_t k) {
    const uint8_t *base = buffers[b]->bytes.data();
    auto get = [&](auto x) {
      std::memcpy(&x, base + offset * sizeof(x), sizeof(x));
      return x;
    };
    switch (bufferKinds[b]) {
    case Kind::F32:
      into.f[k] = get(float());
      return;
    case Kind::F64:
      into.f[k] = get(double());
      return;
    case Kind::F16:
      into.f[k] = static_cast<double>(get(_Float16()));
      return;
    case Kind::BF16: {
      uint32_t bits = uint32_t(get(uint16_t())) << 16;
      float v;
      std::memcpy(&v, &bits, 4);
      into.f[k] = v;
      return;
    }
    case Kind::I1:
      into.i[k] = get(uint8_t()) & 1;
      return;
    case Kind::I8:
      into.i[k] = get(int8_t());
      return;
    case Kind::I16:
      into.i[k] = get(int16_t());
      return;
    case Kind::I32:
      into.i[k] = get(int32_t());
      return;
    default:
      into.i[k] = get(int64_t());
      return;
    }
  }

  /// Writes lane `k` of `from` to element `offset` of buffer `b`.
  void writeElement(uint32_t b, int64_t offset, const BlockValue &from,
                    int64_t k) {
    uint8_t *base = buffers[b]->bytes.data();
    auto put = [&](auto x) {
      std::memcpy(base + offset * sizeof(x), &x, sizeof(x));
    };
    switch (bufferKinds[b]) {
    case Kind::F32:
      return put(static_cast<float>(from.f[k]));
    case Kind::F64:
      return put(from.f[k]);
    case Kind::F16:
      return put(static_cast<_Float16>(from.f[k]));
    case Kind::BF16: {
      float v = static_cast<float>(roundFloat(Kind::BF16, from.f[k]));
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      return put(static_cast<uint16_t>(bits >> 16));
    }
    case Kind::I1:
      return put(static_cast<uint8_t>(from.i[k] & 1));
    case Kind::I8:
      return put(static_cast<int8_t>(from.i[k]));
    case Kind::I16:
      return put(static_cast<int16_t>(from.i[k]));
    case Kind::I32:
      return put(static_cast<int32_t>(from.i[k]));
    default:
      return put(static_cast<int64_t>(from.i[k]));
    }
  }

  //===------------------------------------------------------------------===//
  // Ops
  //===------------------------------------------------------------------===//

  LogicalResult runOp(Operation *op);
  LogicalResult runFor(scf::ForOp forOp);
  LogicalResult runIf(scf::IfOp ifOp);
  LogicalResult runShape(Operation *op);
  LogicalResult runMemory(Operation *op);
  LogicalResult runDot(DotOp dot);
  LogicalResult runReduce(ReduceOp reduce);
  LogicalResult runMath(Operation *op);
};

LogicalResult Machine::runFor(scf::ForOp forOp) {
  int64_t lb = get(forOp.getLowerBound())->i[0];
  int64_t ub = get(forOp.getUpperBound())->i[0];
  int64_t step = get(forOp.getStep())->i[0];
  if (step <= 0)
    return fail(forOp) << "loop step must be positive, got " << step;
  SmallVector<BlockRef> carried;
  for (Value init : forOp.getInitArgs())
    carried.push_back(get(init));
  mlir::Block *body = forOp.getBody();
  unsigned width = widthOf(forOp.getInductionVar().getType());
  for (int64_t iv = lb; iv < ub; iv += step) {
    auto index = BlockValue::make(forOp.getInductionVar().getType());
    index->i[0] = wrapInt(width, iv);
    env[forOp.getInductionVar()] = index;
    for (auto [arg, value] : llvm::zip(forOp.getRegionIterArgs(), carried))
      env[arg] = value;
    SmallVector<BlockRef> next;
    if (failed(runBlock(*body, next)))
      return failure();
    carried = std::move(next);
  }
  for (auto [result, value] : llvm::zip(forOp.getResults(), carried))
    env[result] = value;
  return success();
}

LogicalResult Machine::runIf(scf::IfOp ifOp) {
  bool cond = get(ifOp.getCondition())->i[0] != 0;
  Region &region = cond ? ifOp.getThenRegion() : ifOp.getElseRegion();
  SmallVector<BlockRef> yielded;
  if (!region.empty() && failed(runBlock(region.front(), yielded)))
    return failure();
  for (auto [result, value] : llvm::zip(ifOp.getResults(), yielded))
    env[result] = value;
  return success();
}

LogicalResult Machine::runShape(Operation *op) {
  BlockRef r = result(op);
  auto copyFrom = [&](const BlockValue &src, int64_t to, int64_t from) {
    if (src.isFloat())
      r->f[to] = src.f[from];
    else
      r->i[to] = src.i[from];
    if (src.isPtr())
      r->buf[to] = src.buf[from];
  };
  if (auto splat = dyn_cast<SplatOp>(op)) {
    BlockRef v = get(splat.getValue());
    if (v->isFloat())
      std::fill(r->f.begin(), r->f.end(), v->f[0]);
    else
      std::fill(r->i.begin(), r->i.end(), v->i[0]);
    if (v->isPtr())
      std::fill(r->buf.begin(), r->buf.end(), v->buf[0]);
  } else if (isa<ExpandDimsOp, ReshapeOp, tensor::CastOp>(op)) {
    // Same elements, another shape: share the data.
    BlockRef v = get(op->getOperand(0));
    auto view = std::make_shared<BlockValue>(*v);
    view->shape = r->shape;
    r = view;
  } else if (auto trans = dyn_cast<TransOp>(op)) {
    BlockRef v = get(trans.getSrc());
    int64_t rows = v->shape[0], cols = v->shape[1];
    for (int64_t a = 0; a < rows; ++a)
      for (int64_t b = 0; b < cols; ++b)
        copyFrom(*v, b * rows + a, a * cols + b);
  } else if (auto bcast = dyn_cast<BroadcastOp>(op)) {
    BlockRef v = get(bcast.getSrc());
    size_t rank = r->shape.size();
    SmallVector<int64_t, 3> srcStride(rank, 0);
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      srcStride[d] = v->shape[d] == 1 ? 0 : stride;
      stride *= v->shape[d];
    }
    SmallVector<int64_t, 3> idx(rank, 0);
    for (int64_t k = 0, n = r->size(); k < n; ++k) {
      int64_t from = 0;
      for (size_t d = 0; d < rank; ++d)
        from += idx[d] * srcStride[d];
      copyFrom(*v, k, from);
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < r->shape[d])
          break;
        idx[d] = 0;
      }
    }
  } else if (auto arange = dyn_cast<ArangeOp>(op)) {
    int64_t start = get(arange.getStart())->i[0];
    for (int64_t k = 0, n = r->size(); k < n; ++k)
      r->i[k] = start + k;
  } else if (auto add = dyn_cast<AddPtrOp>(op)) {
    BlockRef p = get(add.getPtr()), o = get(add.getOffset());
    for (int64_t k = 0, n = r->size(); k < n; ++k) {
      r->buf[k] = p->buf[k];
      r->i[k] = p->i[k] + o->i[k];
    }
  }
  env[op->getResult(0)] = r;
  return success();
}

LogicalResult Machine::runMemory(Operation *op) {
  if (auto load = dyn_cast<LoadOp>(op)) {
    BlockRef p = get(load.getPtr());
    BlockRef mask = load.getMask() ? get(load.getMask()) : nullptr;
    BlockRef other = load.getOther() ? get(load.getOther()) : nullptr;
    BlockRef r = result(op);
    for (int64_t k = 0, n = r->size(); k < n; ++k) {
      if (mask && !mask->i[k]) {
        if (r->isFloat())
          r->f[k] = other ? other->f[k] : 0.0;
        else
          r->i[k] = other ? other->i[k] : 0;
        continue;
      }
      if (!inBounds(*p, k) && failed(checkAccess(op, *p, k, "load")))
        return failure();
      readElement(p->buf[k], p->i[k], *r, k);
    }
    env[op->getResult(0)] = r;
    return success();
  }
  bool isStore = isa<StoreOp>(op);
  Value ptrValue = op->getOperand(0), valueValue = op->getOperand(1);
  Value maskValue = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
  BlockRef p = get(ptrValue), v = get(valueValue);
  BlockRef mask = maskValue ? get(maskValue) : nullptr;
  BlockRef old = isStore ? nullptr : result(op);
  for (int64_t k = 0, n = v->size(); k < n; ++k) {
    if (mask && !mask->i[k]) {
      if (old) {
        if (old->isFloat())
          old->f[k] = 0;
        else
          old->i[k] = 0;
      }
      continue;
    }
    if (!inBounds(*p, k) &&
        failed(checkAccess(op, *p, k, isStore ? "store" : "atomic_add")))
      return failure();
    uint32_t buffer = p->buf[k];
    if (isStore) {
      writeElement(buffer, p->i[k], *v, k);
      continue;
    }
    readElement(buffer, p->i[k], *old, k);
    auto sum = BlockValue::make(v->elem);
    if (sum->isFloat())
      sum->f[0] = roundFloat(sum->elem, old->f[k] + v->f[k]);
    else
      sum->i[0] = wrapInt(widthOf(sum->elem), old->i[k] + v->i[k]);
    writeElement(buffer, p->i[k], *sum, 0);
  }
  if (old)
    env[op->getResult(0)] = old;
  return success();
}

LogicalResult Machine::runDot(DotOp dot) {
  BlockRef a = get(dot.getA()), b = get(dot.getB()), acc = get(dot.getAcc());
  BlockRef r = result(dot);
  int64_t m = a->shape[0], kk = a->shape[1], n = b->shape[1];
  // f32 accumulation with a fused multiply-add per step, as the GPU does.
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float sum = static_cast<float>(acc->f[i * n + j]);
      for (int64_t k = 0; k < kk; ++k)
        sum = std::fma(static_cast<float>(a->f[i * kk + k]),
                       static_cast<float>(b->f[k * n + j]), sum);
      r->f[i * n + j] = sum;
    }
  env[dot.getResult()] = r;
  return success();
}

LogicalResult Machine::runReduce(ReduceOp reduce) {
  BlockRef x = get(reduce.getSrc());
  BlockRef r = result(reduce);
  unsigned axis = reduce.getAxis();
  int64_t outer = 1, inner = 1, len = x->shape[axis];
  for (unsigned d = 0; d < axis; ++d)
    outer *= x->shape[d];
  for (size_t d = axis + 1; d < x->shape.size(); ++d)
    inner *= x->shape[d];
  ReduceKind kind = reduce.getKind();
  bool isArg = kind == ReduceKind::Argmax || kind == ReduceKind::Argmin;
  bool wantMax = kind == ReduceKind::Max || kind == ReduceKind::Argmax;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      int64_t out = o * inner + in;
      auto at = [&](int64_t k) { return (o * len + k) * inner + in; };
      if (x->isFloat()) {
        double best = x->f[at(0)];
        int64_t bestIndex = 0;
        double sum = 0;
        for (int64_t k = 0; k < len; ++k) {
          double v = x->f[at(k)];
          sum += v;
          // NaN is the extreme of both max and min; the first one wins.
          if (std::isnan(best))
            continue;
          if (std::isnan(v) || (wantMax ? v > best : v < best)) {
            best = v;
            bestIndex = k;
          }
        }
        if (kind == ReduceKind::Sum)
          r->f[out] = roundFloat(r->elem, sum);
        else if (isArg)
          r->i[out] = bestIndex;
        else
          r->f[out] = best;
        continue;
      }
      unsigned width = widthOf(x->elem);
      int64_t best = x->i[at(0)], bestIndex = 0, sum = 0;
      for (int64_t k = 0; k < len; ++k) {
        int64_t v = x->i[at(k)];
        sum += v;
        if (wantMax ? v > best : v < best) {
          best = v;
          bestIndex = k;
        }
      }
      if (kind == ReduceKind::Sum)
        r->i[out] = wrapInt(width, sum);
      else if (isArg)
        r->i[out] = bestIndex;
      else
        r->i[out] = best;
    }
  env[reduce.getResult()] = r;
  return success();
}

LogicalResult Machine::runMath(Operation *op) {
  auto unary = [&](double (*fn)(double)) {
    return mapFloat(op, [&](double a, double) { return fn(a); });
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](math::ExpOp) { return unary(std::exp); })
      .Case([&](math::Exp2Op) { return unary(std::exp2); })
      .Case([&](math::LogOp) { return unary(std::log); })
      .Case([&](math::Log2Op) { return unary(std::log2); })
      .Case([&](math::SqrtOp) { return unary(std::sqrt); })
      .Case([&](math::RsqrtOp) {
        return mapFloat(op,
                        [](double a, double) { return 1.0 / std::sqrt(a); });
      })
      .Case([&](math::SinOp) { return unary(std::sin); })
      .Case([&](math::CosOp) { return unary(std::cos); })
      .Case([&](math::TanhOp) { return unary(std::tanh); })
      .Case([&](math::ErfOp) { return unary(std::erf); })
      .Case([&](math::AbsFOp) { return unary(std::fabs); })
      .Case([&](math::AbsIOp) {
        return mapInt(op, [](int64_t a, int64_t, unsigned) {
          return std::optional<int64_t>(a < 0 ? -a : a);
        });
      })
      .Case([&](math::CountLeadingZerosOp) {
        return mapInt(op, [](int64_t a, int64_t, unsigned width) {
          uint64_t u = asUnsigned(a, width);
          return std::optional<int64_t>(
              u == 0 ? width : llvm::countl_zero(u) - (64 - width));
        });
      })
      .Default([&](Operation *other) {
        return fail(other) << "the interpreter cannot run '" << other->getName()
                           << "'";
      });
}

LogicalResult Machine::runOp(Operation *op) {
  using Int = std::optional<int64_t>;
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](arith::ConstantOp constant) -> LogicalResult {
        BlockRef r = result(op);
        Attribute value = constant.getValue();
        if (auto dense = dyn_cast<SplatElementsAttr>(value))
          value = dense.getSplatValue<Attribute>();
        for (int64_t k = 0, n = r->size(); k < n; ++k) {
          if (auto f = dyn_cast<FloatAttr>(value))
            r->f[k] = f.getValueAsDouble();
          else if (auto i = dyn_cast<IntegerAttr>(value))
            r->i[k] = wrapInt(widthOf(r->elem), i.getValue().getSExtValue());
          else
            return fail(op) << "unsupported constant " << value;
        }
        env[constant.getResult()] = r;
        return success();
      })
      .Case([&](arith::AddFOp) {
        return mapFloat(op, [](double a, double b) { return a + b; });
      })
      .Case([&](arith::SubFOp) {
        return mapFloat(op, [](double a, double b) { return a - b; });
      })
      .Case([&](arith::MulFOp) {
        return mapFloat(op, [](double a, double b) { return a * b; });
      })
      .Case([&](arith::DivFOp) {
        return mapFloat(op, [](double a, double b) { return a / b; });
      })
      .Case([&](arith::RemFOp) {
        return mapFloat(op, [](double a, double b) { return std::fmod(a, b); });
      })
      .Case([&](arith::NegFOp) {
        return mapFloat(op, [](double a, double) { return -a; });
      })
      // NaN propagates and -0.0 < +0.0, as arith.maximumf/minimumf define.
      .Case([&](arith::MaximumFOp) {
        return mapFloat(op, [](double a, double b) {
          if (std::isnan(a) || std::isnan(b))
            return double(NAN);
          if (a == b)
            return std::signbit(a) ? b : a;
          return std::max(a, b);
        });
      })
      .Case([&](arith::MinimumFOp) {
        return mapFloat(op, [](double a, double b) {
          if (std::isnan(a) || std::isnan(b))
            return double(NAN);
          if (a == b)
            return std::signbit(a) ? a : b;
          return std::min(a, b);
        });
      })
      .Case([&](arith::AddIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) {
          return Int(int64_t(uint64_t(a) + uint64_t(b)));
        });
      })
      .Case([&](arith::SubIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) {
          return Int(int64_t(uint64_t(a) - uint64_t(b)));
        });
      })
      .Case([&](arith::MulIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) {
          return Int(int64_t(uint64_t(a) * uint64_t(b)));
        });
      })
      .Case([&](arith::DivSIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) -> Int {
          if (b == 0)
            return std::nullopt;
          if (b == -1)
            return int64_t(0 - uint64_t(a));
          return a / b;
        });
      })
      .Case([&](arith::RemSIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) -> Int {
          if (b == 0)
            return std::nullopt;
          return b == -1 ? 0 : a % b;
        });
      })
      .Case([&](arith::CeilDivSIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) -> Int {
          if (b == 0)
            return std::nullopt;
          int64_t q = a / b;
          return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
        });
      })
      .Case([&](arith::ShLIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned width) {
          return Int(b < 0 || b >= width ? 0
                                         : int64_t(uint64_t(a) << uint64_t(b)));
        });
      })
      .Case([&](arith::ShRSIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned width) {
          return Int(b < 0 || b >= width ? (a < 0 ? -1 : 0) : a >> b);
        });
      })
      .Case([&](arith::AndIOp) {
        return mapInt(
            op, [](int64_t a, int64_t b, unsigned) { return Int(a & b); });
      })
      .Case([&](arith::OrIOp) {
        return mapInt(
            op, [](int64_t a, int64_t b, unsigned) { return Int(a | b); });
      })
      .Case([&](arith::XOrIOp) {
        return mapInt(
            op, [](int64_t a, int64_t b, unsigned) { return Int(a ^ b); });
      })
      .Case([&](arith::MaxSIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) {
          return Int(std::max(a, b));
        });
      })
      .Case([&](arith::MinSIOp) {
        return mapInt(op, [](int64_t a, int64_t b, unsigned) {
          return Int(std::min(a, b));
        });
      })
      .Case([&](arith::CmpIOp cmp) {
        BlockRef r = result(op), a = get(cmp.getLhs()), b = get(cmp.getRhs());
        unsigned width = widthOf(a->elem);
        arith::CmpIPredicate predicate = cmp.getPredicate();
        for (int64_t k = 0, n = r->size(); k < n; ++k)
          r->i[k] = compareInt(predicate, a->i[k], b->i[k], width);
        env[cmp.getResult()] = r;
        return success();
      })
      .Case([&](arith::CmpFOp cmp) {
        BlockRef r = result(op), a = get(cmp.getLhs()), b = get(cmp.getRhs());
        arith::CmpFPredicate predicate = cmp.getPredicate();
        for (int64_t k = 0, n = r->size(); k < n; ++k)
          r->i[k] = compareFloat(predicate, a->f[k], b->f[k]);
        env[cmp.getResult()] = r;
        return success();
      })
      .Case([&](arith::SelectOp select) {
        BlockRef r = result(op), c = get(select.getCondition()),
                 a = get(select.getTrueValue()),
                 b = get(select.getFalseValue());
        bool scalarCond = c->shape.empty();
        for (int64_t k = 0, n = r->size(); k < n; ++k) {
          const BlockValue &from = c->i[scalarCond ? 0 : k] ? *a : *b;
          if (r->isFloat())
            r->f[k] = from.f[k];
          else
            r->i[k] = from.i[k];
          if (r->isPtr())
            r->buf[k] = from.buf[k];
        }
        env[select.getResult()] = r;
        return success();
      })
      .Case<arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp, arith::UIToFPOp,
            arith::FPToSIOp, arith::ExtSIOp, arith::ExtUIOp, arith::TruncIOp>(
          [&](Operation *cast) { return convert(cast); })
      .Case([&](ProgramIdOp pid) {
        BlockRef r = result(op);
        r->i[0] = programId[pid.getAxis()];
        env[pid.getResult()] = r;
        return success();
      })
      .Case([&](NumProgramsOp num) {
        BlockRef r = result(op);
        r->i[0] = grid[num.getAxis()];
        env[num.getResult()] = r;
        return success();
      })
      .Case<SplatOp, BroadcastOp, ExpandDimsOp, ReshapeOp, TransOp, ArangeOp,
            AddPtrOp, tensor::CastOp>(
          [&](Operation *shape) { return runShape(shape); })
      .Case<LoadOp, StoreOp, AtomicAddOp>(
          [&](Operation *memory) { return runMemory(memory); })
      .Case([&](DotOp dot) { return runDot(dot); })
      .Case([&](ReduceOp reduce) { return runReduce(reduce); })
      .Case([&](scf::ForOp forOp) { return runFor(forOp); })
      .Case([&](scf::IfOp ifOp) { return runIf(ifOp); })
      .Case([&](StaticAssertOp check) {
        return fail(op) << "static_assert left in a variant: specialize the "
                           "kernel first";
      })
      .Default([&](Operation *other) { return runMath(other); });
}

} // namespace

LogicalResult kdsl::interpret(KernelOp variant, std::array<int64_t, 3> grid,
                              ArrayRef<LaunchArg> args) {
  if (!variant.isVariant())
    return variant.emitError()
           << "kernel '" << variant.getSymName()
           << "' is not specialized: bind its constexprs first";
  ArrayRef<Type> types = variant.getArgumentTypes();
  if (args.size() != types.size())
    return variant.emitError()
           << "kernel '" << variant.getSymName() << "' takes " << types.size()
           << " arguments, got " << args.size();
  // The runtime's limits, in its words: a grid the GPU would refuse is
  // refused here too (2^31 - 1 programs along y would otherwise run for
  // ever).
  if (std::string why = checkGrid(grid); !why.empty())
    return variant.emitError() << why;

  std::vector<HostBuffer *> buffers;
  std::vector<std::string> names;
  SmallVector<BlockRef> values;
  for (auto [i, type] : llvm::enumerate(types)) {
    std::string name = cast<StringAttr>(variant.getParamNames()[i]).str();
    auto value = BlockValue::make(type);
    if (auto ptr = dyn_cast<PtrType>(type)) {
      HostBuffer *buffer = args[i].buffer;
      if (!buffer)
        return variant.emitError()
               << "argument '" << name << "' is a pointer: bind a buffer to it";
      if (buffer->elementType != ptr.getPointeeType())
        return variant.emitError()
               << "argument '" << name << "' points to " << ptr.getPointeeType()
               << " but the buffer holds " << buffer->elementType;
      value->buf[0] = buffers.size();
      value->i[0] = 0;
      buffers.push_back(buffer);
      names.push_back(name);
    } else if (args[i].buffer) {
      return variant.emitError() << "argument '" << name << "' is a " << type
                                 << " scalar, not a buffer";
    } else if (value->isFloat()) {
      value->f[0] = roundFloat(type, args[i].floatValue);
    } else {
      unsigned width = widthOf(type);
      int64_t v = args[i].intValue;
      if (width == 1 ? (v != 0 && v != 1) : !llvm::isIntN(width, v))
        return variant.emitError() << "argument '" << name << "' = " << v
                                   << " does not fit " << formatType(type);
      value->i[0] = v;
    }
    values.push_back(value);
  }

  Machine machine(variant, grid, std::move(buffers), std::move(names));
  for (int64_t z = 0; z < grid[2]; ++z)
    for (int64_t y = 0; y < grid[1]; ++y)
      for (int64_t x = 0; x < grid[0]; ++x)
        if (failed(machine.runProgram({x, y, z}, values)))
          return failure();
  return success();
}

FailureOr<std::array<int64_t, 3>> kdsl::evaluateGrid(KernelOp variant,
                                                     ArrayRef<LaunchArg> args) {
  std::optional<ArrayAttr> dims = variant.getGrid();
  if (!dims)
    return variant.emitError() << "kernel '" << variant.getSymName()
                               << "' has no grid(...): give the grid";
  std::array<int64_t, 3> grid = {1, 1, 1};
  for (auto [i, dim] : llvm::enumerate(*dims)) {
    std::string text = cast<StringAttr>(dim).str();
    ConstExprParseResult parsed = parseConstExpr(text);
    if (!parsed)
      return variant.emitError()
             << "grid expression '" << text << "': " << parsed.error;
    ConstExprEvalResult value = evaluateConstExpr(
        *parsed.expr, [&](const std::string &name) -> std::optional<int64_t> {
          std::optional<unsigned> index = variant.lookupParam(name);
          if (!index || *index >= args.size() || args[*index].buffer)
            return std::nullopt;
          return args[*index].intValue;
        });
    if (!value.ok)
      return variant.emitError()
             << "grid expression '" << text << "': " << value.error;
    grid[i] = value.value;
  }
  std::vector<std::string> origins;
  for (Attribute dim : *dims)
    origins.push_back("from '" + cast<StringAttr>(dim).str() + "'");
  if (std::string why = checkGrid(grid, origins); !why.empty())
    return variant.emitError() << why;
  return grid;
}
