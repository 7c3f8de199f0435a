//===- SimtEmulator.cpp - Runs per-thread GPU code on the host ------------===//
//
// Each thread of a block is a ucontext coroutine that interprets the
// gpu.func's body op by op. A thread runs until it reaches a barrier, a
// shuffle or the end; the scheduler then releases a warp whose lanes all wait
// at one shuffle, or the block once every thread waits at one barrier.
// Values are bit patterns (floats as IEEE bits, pointers as host addresses),
// so f16 and bf16 round exactly as the types say.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Emulator/SimtEmulator.h"
#include "TensorCore.h"
#include "kdsl/Support/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <ucontext.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <memory>

using namespace mlir;
using llvm::APFloat;
using llvm::APInt;

namespace {

/// One thread's value: the bits of each element (one for a scalar).
using Bits = llvm::SmallVector<uint64_t, 4>;

Type elementOf(Type type) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.getElementType();
  return type;
}

int64_t lanesOf(Type type) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.getNumElements();
  if (auto record = dyn_cast<LLVM::LLVMStructType>(type)) {
    int64_t lanes = 0;
    for (Type member : record.getBody())
      lanes += lanesOf(member);
    return lanes;
  }
  return 1;
}

/// The scalar types of `type`'s elements in order: a vector's, a struct's
/// members' (flattened, as values hold them), or `type` itself.
void scalarsOf(Type type, llvm::SmallVectorImpl<Type> &out) {
  if (auto record = dyn_cast<LLVM::LLVMStructType>(type)) {
    for (Type member : record.getBody())
      scalarsOf(member, out);
    return;
  }
  if (auto vector = dyn_cast<VectorType>(type)) {
    out.append(vector.getNumElements(), vector.getElementType());
    return;
  }
  out.push_back(type);
}

unsigned widthOf(Type type) {
  if (isa<LLVM::LLVMPointerType>(type) || type.isIndex())
    return 64;
  return type.getIntOrFloatBitWidth();
}

/// Bytes an element of `type` takes in memory (i1 takes one).
int64_t bytesOf(Type type) {
  return lanesOf(type) * ((widthOf(elementOf(type)) + 7) / 8);
}

APInt toInt(uint64_t bits, Type type) {
  return APInt(widthOf(type), bits, /*isSigned=*/false,
               /*implicitTrunc=*/true);
}

uint64_t fromInt(const APInt &value) { return value.getZExtValue(); }

APFloat toFloat(uint64_t bits, Type type) {
  return APFloat(cast<FloatType>(type).getFloatSemantics(), toInt(bits, type));
}

uint64_t fromFloat(const APFloat &value) {
  return value.bitcastToAPInt().getZExtValue();
}

double toDouble(uint64_t bits, Type type) {
  APFloat value = toFloat(bits, type);
  bool lost;
  value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return value.convertToDouble();
}

uint64_t fromDouble(double value, Type type) {
  APFloat result(value);
  bool lost;
  result.convert(cast<FloatType>(type).getFloatSemantics(),
                 APFloat::rmNearestTiesToEven, &lost);
  return fromFloat(result);
}

/// The register image of a value of `type`: its elements back to back, low
/// bytes first (a .f16x2 register holds element 0 in its low half).
std::vector<uint8_t> imageOf(const Bits &bits, Type type) {
  llvm::SmallVector<Type> scalars;
  scalarsOf(type, scalars);
  std::vector<uint8_t> image;
  for (auto [bitsOfOne, scalar] : llvm::zip_equal(bits, scalars)) {
    unsigned bytes = (widthOf(scalar) + 7) / 8;
    for (unsigned b = 0; b < bytes; ++b)
      image.push_back(uint8_t(bitsOfOne >> (8 * b)));
  }
  return image;
}

/// The value of `type` whose register image is `image` (an llvm.bitcast).
Bits fromImage(llvm::ArrayRef<uint8_t> image, Type type) {
  llvm::SmallVector<Type> scalars;
  scalarsOf(type, scalars);
  Bits bits;
  size_t at = 0;
  for (Type scalar : scalars) {
    unsigned bytes = (widthOf(scalar) + 7) / 8;
    uint64_t value = 0;
    for (unsigned b = 0; b < bytes; ++b)
      value |= uint64_t(image[at + b]) << (8 * b);
    at += bytes;
    bits.push_back(value);
  }
  return bits;
}

/// The first element and the element count of member `position` of a value
/// of `type`, a struct or an array (llvm.extractvalue's and insertvalue's
/// position).
std::pair<int64_t, int64_t> memberOf(Type type,
                                     llvm::ArrayRef<int64_t> position) {
  int64_t first = 0;
  for (int64_t index : position) {
    auto record = cast<LLVM::LLVMStructType>(type);
    for (int64_t i = 0; i < index; ++i)
      first += lanesOf(record.getBody()[i]);
    type = record.getBody()[index];
  }
  return {first, lanesOf(type)};
}

/// LLVM's alignment of `type` when an access gives none: its size, for
/// scalars and power-of-two vectors up to 16 bytes.
uint64_t naturalAlignment(Type type) {
  uint64_t bytes = bytesOf(type);
  return llvm::isPowerOf2_64(bytes) ? std::min<uint64_t>(bytes, 16) : 1;
}

/// A host libm function for a unary math op, or null.
double (*libmFor(llvm::StringRef name))(double) {
  return llvm::StringSwitch<double (*)(double)>(name)
      .Case("math.exp", [](double x) { return std::exp(x); })
      .Case("math.exp2", [](double x) { return std::exp2(x); })
      .Case("math.expm1", [](double x) { return std::expm1(x); })
      .Case("math.log", [](double x) { return std::log(x); })
      .Case("math.log2", [](double x) { return std::log2(x); })
      .Case("math.log10", [](double x) { return std::log10(x); })
      .Case("math.log1p", [](double x) { return std::log1p(x); })
      .Case("math.sqrt", [](double x) { return std::sqrt(x); })
      .Case("math.rsqrt", [](double x) { return 1.0 / std::sqrt(x); })
      .Case("math.cbrt", [](double x) { return std::cbrt(x); })
      .Case("math.sin", [](double x) { return std::sin(x); })
      .Case("math.cos", [](double x) { return std::cos(x); })
      .Case("math.tan", [](double x) { return std::tan(x); })
      .Case("math.asin", [](double x) { return std::asin(x); })
      .Case("math.acos", [](double x) { return std::acos(x); })
      .Case("math.atan", [](double x) { return std::atan(x); })
      .Case("math.sinh", [](double x) { return std::sinh(x); })
      .Case("math.cosh", [](double x) { return std::cosh(x); })
      .Case("math.tanh", [](double x) { return std::tanh(x); })
      .Case("math.erf", [](double x) { return std::erf(x); })
      .Case("math.erfc", [](double x) { return std::erfc(x); })
      .Case("math.absf", [](double x) { return std::fabs(x); })
      .Case("math.floor", [](double x) { return std::floor(x); })
      .Case("math.ceil", [](double x) { return std::ceil(x); })
      .Case("math.round", [](double x) { return std::round(x); })
      .Case("math.roundeven", [](double x) { return std::nearbyint(x); })
      .Case("math.trunc", [](double x) { return std::trunc(x); })
      .Default(nullptr);
}

/// Where a thread waits: at a block-wide barrier, or at a warp-wide op
/// (gpu.shuffle, nvvm.ldmatrix, nvvm.mma.sync) until its 32 lanes are there.
enum class Wait { Running, Barrier, Warp, Done, Failed };

/// A cp.async in flight: the bytes it read, bound for shared memory.
struct AsyncCopy {
  uint64_t offset;
  std::vector<uint8_t> bytes;
};

struct Thread {
  int id = 0;
  ucontext_t context;
  std::unique_ptr<char[]> stack;
  Wait wait = Wait::Running;
  Operation *waitingAt = nullptr;
  /// A shuffle's operands while waiting, its results once released.
  Bits shuffleValue;
  int64_t shuffleOffset = 0, shuffleWidth = 32;
  bool shuffleValid = false;
  llvm::DenseMap<Value, Bits> values;
  /// cp.async copies issued since the last commit, and the committed groups
  /// not yet waited for, oldest first.
  std::vector<AsyncCopy> uncommitted;
  std::deque<std::vector<AsyncCopy>> committed;
};

/// Who touched a shared-memory byte since the last barrier.
struct Shadow {
  uint64_t writeEpoch = 0, readEpoch = 0;
  int writer = -1, reader = -1; ///< reader -2: several threads
  /// The thread whose cp.async into this byte is still in flight, or -1.
  int copier = -1;
};

/// Which thread last stored to a byte of global memory (block -1: none).
struct GlobalWrite {
  int64_t block = -1;
  uint64_t epoch = 0;
  int thread = -1;
};

constexpr size_t kStackBytes = 256 * 1024;

class Emulator {
public:
  Emulator(gpu::GPUFuncOp kernel, std::array<int64_t, 3> grid,
           llvm::ArrayRef<kdsl::LaunchArg> args,
           llvm::ArrayRef<std::string> argNames, kdsl::EmulatorStats &stats)
      : kernel(kernel), grid(grid), args(args), argNames(argNames),
        stats(stats) {}

  /// Runs every block; on failure reports the first error at its location.
  LogicalResult run();

private:
  /// A buffer at a device address of its own: each starts 2^40 bytes
  /// from the next, so a pointer that strays out of one is in none.
  struct Range {
    uint64_t begin, end;
    uint8_t *host;
    std::string name;
    bool shared;
    /// Global memory: the last store to each byte.
    std::vector<GlobalWrite> written = {};
  };
  static constexpr uint64_t kSpanBytes = uint64_t(1) << 40;
  static constexpr uint64_t kSharedBase = kSpanBytes;
  static uint64_t argumentBase(size_t i) { return (i + 2) * kSpanBytes; }

  gpu::GPUFuncOp kernel;
  std::array<int64_t, 3> grid;
  llvm::ArrayRef<kdsl::LaunchArg> args;
  llvm::ArrayRef<std::string> argNames;
  kdsl::EmulatorStats &stats;
  std::vector<Bits> argBits;
  std::vector<Range> ranges;
  std::vector<uint8_t> shared;
  std::vector<Shadow> shadow;
  uint64_t epoch = 1;
  std::array<int64_t, 3> block = {0, 0, 0};
  int blockThreads = 0;
  std::vector<Thread> threads;
  ucontext_t scheduler;
  int current = 0;
  /// The first failure, and where (an op, or the kernel).
  std::string error;
  std::optional<Location> errorLoc;

  static void fiberMain(unsigned high, unsigned low);
  bool runBlock();
  bool blockFailure(const llvm::Twine &message);

  LogicalResult fail(Thread &thread, Operation *op, const llvm::Twine &message);
  void suspend(Thread &thread, Wait wait, Operation *op);
  LogicalResult runRegion(Thread &thread, Region &region,
                          llvm::ArrayRef<Bits> blockArgs,
                          llvm::SmallVectorImpl<Bits> &results);
  LogicalResult runOp(Thread &thread, Operation *op);
  LogicalResult runArith(Thread &thread, Operation *op, bool &handled);
  /// Checks an access of `bytes` at `address` (a store's new bytes in
  /// `stored`) and points `pointer` at them.
  LogicalResult access(Thread &thread, Operation *op, uint64_t address,
                       int64_t bytes, bool write, bool atomic,
                       const uint8_t *stored, uint8_t *&pointer);
  LogicalResult sharedAccess(Thread &thread, Operation *op, uint64_t offset,
                             int64_t bytes, bool write);
  LogicalResult globalAccess(Thread &thread, Operation *op, Range &range,
                             uint64_t offset, int64_t bytes,
                             const uint8_t *stored);
  int64_t blockIndex() const {
    return (block[2] * grid[1] + block[1]) * grid[0] + block[0];
  }
  /// A load's or store's `type` at `address`: its alignment (LLVM's
  /// natural one when the op gives none), then `access`.
  LogicalResult plainAccess(Thread &thread, Operation *op, Value address,
                            Type type, std::optional<uint64_t> alignment,
                            const uint8_t *stored, uint8_t *&pointer);
  LogicalResult atomicRMW(Thread &thread, LLVM::AtomicRMWOp op);
  /// The byte offset in shared memory of `bytes` at `address`, or a failure
  /// naming `what` ("ldmatrix row") if they are not all shared memory.
  FailureOr<uint64_t> sharedOffset(Thread &thread, Operation *op,
                                   uint64_t address, int64_t bytes,
                                   const llvm::Twine &what);
  LogicalResult asyncCopy(Thread &thread, NVVM::CpAsyncOp op);
  /// Lands a cp.async's bytes: visible to its thread now, to the others
  /// after the next barrier.
  void completeCopy(Thread &thread, const AsyncCopy &copy);
  /// Runs a warp-wide op once all 32 `lanes` wait at it.
  LogicalResult releaseShuffle(gpu::ShuffleOp op, Thread *lanes);
  LogicalResult releaseLdMatrix(NVVM::LdMatrixOp op, Thread *lanes);
  LogicalResult releaseMma(NVVM::MmaOp op, Thread *lanes);
  const Bits &get(Thread &thread, Value value) { return thread.values[value]; }
};

void Emulator::fiberMain(unsigned high, unsigned low) {
  auto *self = reinterpret_cast<Emulator *>((uintptr_t(high) << 32) | low);
  Thread &thread = self->threads[self->current];
  llvm::SmallVector<Bits> results;
  LogicalResult result =
      self->runRegion(thread, self->kernel.getBody(), self->argBits, results);
  thread.wait = succeeded(result) ? Wait::Done : Wait::Failed;
  // Returning resumes uc_link, the scheduler.
}

LogicalResult Emulator::fail(Thread &thread, Operation *op,
                             const llvm::Twine &message) {
  if (error.empty()) {
    llvm::raw_string_ostream os(error);
    os << "block (" << block[0] << ", " << block[1] << ", " << block[2]
       << ") thread " << thread.id << " (" << op->getName() << "): " << message;
    errorLoc = op->getLoc();
  }
  return failure();
}

bool Emulator::blockFailure(const llvm::Twine &message) {
  if (error.empty()) {
    error = ("block (" + llvm::Twine(block[0]) + ", " + llvm::Twine(block[1]) +
             ", " + llvm::Twine(block[2]) + "): " + message)
                .str();
    errorLoc = kernel.getLoc();
  }
  return false;
}

void Emulator::suspend(Thread &thread, Wait wait, Operation *op) {
  thread.wait = wait;
  thread.waitingAt = op;
  swapcontext(&thread.context, &scheduler);
}

LogicalResult Emulator::access(Thread &thread, Operation *op, uint64_t address,
                               int64_t bytes, bool write, bool atomic,
                               const uint8_t *stored, uint8_t *&pointer) {
  for (Range &range : ranges) {
    if (address < range.begin || address >= range.end)
      continue;
    if (address + bytes > range.end)
      return fail(thread, op,
                  llvm::Twine(write ? "store" : "load") + " of " +
                      llvm::Twine(bytes) + " bytes at byte " +
                      llvm::Twine(address - range.begin) + " of " + range.name +
                      " runs past its end (" +
                      llvm::Twine(range.end - range.begin) + " bytes)");
    pointer = range.host + (address - range.begin);
    if (atomic)
      return success();
    if (range.shared)
      return sharedAccess(thread, op, address - range.begin, bytes, write);
    return globalAccess(thread, op, range, address - range.begin, bytes,
                        write ? stored : nullptr);
  }
  // Each buffer owns the 2^40 bytes from its start: an address past its end
  // but in its span strayed out of it.
  for (const Range &range : ranges)
    if (address >= range.begin && address - range.begin < kSpanBytes)
      return fail(thread, op,
                  llvm::Twine(write ? "store" : "load") + " of " +
                      llvm::Twine(bytes) + " bytes at byte " +
                      llvm::Twine(address - range.begin) + " of " + range.name +
                      ", which holds " + llvm::Twine(range.end - range.begin) +
                      " bytes");
  return fail(thread, op,
              llvm::Twine(write ? "store" : "load") + " of " +
                  llvm::Twine(bytes) + " bytes at 0x" +
                  llvm::Twine::utohexstr(address) +
                  ", outside every buffer and shared memory");
}

LogicalResult Emulator::sharedAccess(Thread &thread, Operation *op,
                                     uint64_t offset, int64_t bytes,
                                     bool write) {
  for (uint64_t b = offset, e = b + bytes; b < e; ++b) {
    Shadow &s = shadow[b];
    if (s.copier >= 0)
      return fail(thread, op,
                  "race on shared byte " + llvm::Twine(b) +
                      ": a cp.async of "
                      "thread " +
                      llvm::Twine(s.copier) +
                      " may still write it (no cp.async.wait_group of that "
                      "thread has completed it)");
    if (!write && s.writeEpoch == 0)
      return fail(thread, op,
                  "reads shared byte " + llvm::Twine(b) +
                      ", which no thread of the block has written");
    bool writtenByOther = s.writeEpoch == epoch && s.writer != thread.id;
    bool readByOther = s.readEpoch == epoch && s.reader != thread.id;
    if (writtenByOther || (write && readByOther)) {
      std::string who =
          writtenByOther   ? "thread " + std::to_string(s.writer) + " wrote"
          : s.reader == -2 ? std::string("several threads read")
                           : "thread " + std::to_string(s.reader) + " read";
      return fail(thread, op,
                  llvm::Twine("race on shared byte ") + llvm::Twine(b) + ": " +
                      who + " it since the last barrier");
    }
    if (write) {
      s.writeEpoch = epoch;
      s.writer = thread.id;
    } else if (s.readEpoch != epoch) {
      s.readEpoch = epoch;
      s.reader = thread.id;
    } else if (s.reader != thread.id) {
      s.reader = -2;
    }
  }
  return success();
}

/// Plain loads and stores of global memory: a byte stored by another thread
/// of the block since the last barrier may be neither read nor stored again
/// (two threads storing one element is a layout's copies all storing); one
/// stored by another block may not be read (blocks run in no set order) nor
/// overwritten with other bytes.
LogicalResult Emulator::globalAccess(Thread &thread, Operation *op,
                                     Range &range, uint64_t offset,
                                     int64_t bytes, const uint8_t *stored) {
  int64_t here = blockIndex();
  for (int64_t i = 0; i < bytes; ++i) {
    GlobalWrite &w = range.written[offset + i];
    const char *what = nullptr;
    if (w.block == here && w.epoch == epoch && w.thread != thread.id)
      what = " since the last barrier";
    else if (w.block != -1 && w.block != here &&
             (!stored || stored[i] != range.host[offset + i]))
      what = stored ? ", with other bytes" : "";
    if (what) {
      std::string who = w.block == here ? "thread " + std::to_string(w.thread)
                                        : "block " + std::to_string(w.block);
      return fail(thread, op,
                  llvm::Twine(stored ? "stores" : "loads") + " byte " +
                      llvm::Twine(offset + i) + " of " + range.name +
                      ", which " + who + " stored" + what);
    }
    if (stored)
      w = {here, epoch, thread.id};
  }
  return success();
}

LogicalResult Emulator::plainAccess(Thread &thread, Operation *op,
                                    Value address, Type type,
                                    std::optional<uint64_t> alignment,
                                    const uint8_t *stored, uint8_t *&pointer) {
  uint64_t at = get(thread, address)[0];
  uint64_t align = alignment.value_or(naturalAlignment(type));
  if (align && at % align)
    return fail(thread, op,
                "address 0x" + llvm::Twine::utohexstr(at) + " is not " +
                    llvm::Twine(align) + "-byte aligned");
  return access(thread, op, at, bytesOf(type), /*write=*/stored != nullptr,
                /*atomic=*/false, stored, pointer);
}

LogicalResult Emulator::runRegion(Thread &thread, Region &region,
                                  llvm::ArrayRef<Bits> blockArgs,
                                  llvm::SmallVectorImpl<Bits> &results) {
  Block &body = region.front();
  for (auto [arg, bits] : llvm::zip_equal(body.getArguments(), blockArgs))
    thread.values[arg] = bits;
  for (Operation &op : body) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      if (!isa<scf::YieldOp, gpu::ReturnOp>(op))
        return fail(thread, &op, "unknown terminator");
      results.clear();
      for (Value operand : op.getOperands())
        results.push_back(get(thread, operand));
      return success();
    }
    if (failed(runOp(thread, &op)))
      return failure();
  }
  return success();
}

LogicalResult Emulator::runArith(Thread &thread, Operation *op, bool &handled) {
  handled = true;
  llvm::StringRef name = op->getName().getStringRef();
  if (op->getNumResults() != 1) {
    handled = false;
    return success();
  }
  Type resultType = op->getResult(0).getType();
  Type result = elementOf(resultType);
  int64_t lanes = lanesOf(resultType);
  Bits out(lanes);
  auto operand = [&](unsigned i, int64_t lane) {
    const Bits &bits = get(thread, op->getOperand(i));
    return bits.size() == 1 ? bits[0] : bits[lane];
  };
  auto operandType = [&](unsigned i) {
    return elementOf(op->getOperand(i).getType());
  };

  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    Attribute value = constant.getValue();
    if (auto integer = dyn_cast<IntegerAttr>(value))
      out.assign(lanes, fromInt(integer.getValue()));
    else if (auto real = dyn_cast<FloatAttr>(value))
      out.assign(lanes, fromFloat(real.getValue()));
    else if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
      out.clear();
      if (isa<FloatType>(result))
        for (const APFloat &v : dense.getValues<APFloat>())
          out.push_back(fromFloat(v));
      else
        for (const APInt &v : dense.getValues<APInt>())
          out.push_back(fromInt(v));
    } else {
      return fail(thread, op, "unsupported constant");
    }
    thread.values[op->getResult(0)] = std::move(out);
    return success();
  }

  // Integer binary ops.
  using IntFn = std::optional<APInt> (*)(const APInt &, const APInt &);
  IntFn intFn =
      llvm::StringSwitch<IntFn>(name)
          .Case("arith.addi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return a + b;
                })
          .Case("arith.subi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return a - b;
                })
          .Case("arith.muli",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return a * b;
                })
          .Case("arith.andi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return a & b;
                })
          .Case("arith.ori",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return a | b;
                })
          .Case("arith.xori",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return a ^ b;
                })
          .Case("arith.divsi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.isZero())
                    return std::nullopt;
                  return a.sdiv(b);
                })
          .Case("arith.divui",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.isZero())
                    return std::nullopt;
                  return a.udiv(b);
                })
          .Case("arith.remsi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.isZero())
                    return std::nullopt;
                  return a.srem(b);
                })
          .Case("arith.remui",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.isZero())
                    return std::nullopt;
                  return a.urem(b);
                })
          .Case("arith.ceildivsi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.isZero())
                    return std::nullopt;
                  return llvm::APIntOps::RoundingSDiv(a, b,
                                                      APInt::Rounding::UP);
                })
          .Case("arith.floordivsi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.isZero())
                    return std::nullopt;
                  return llvm::APIntOps::RoundingSDiv(a, b,
                                                      APInt::Rounding::DOWN);
                })
          .Case("arith.ceildivui",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.isZero())
                    return std::nullopt;
                  return llvm::APIntOps::RoundingUDiv(a, b,
                                                      APInt::Rounding::UP);
                })
          .Case("arith.shli",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.uge(a.getBitWidth()))
                    return std::nullopt;
                  return a.shl(b);
                })
          .Case("arith.shrsi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.uge(a.getBitWidth()))
                    return std::nullopt;
                  return a.ashr(b);
                })
          .Case("arith.shrui",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  if (b.uge(a.getBitWidth()))
                    return std::nullopt;
                  return a.lshr(b);
                })
          .Case("arith.maxsi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return llvm::APIntOps::smax(a, b);
                })
          .Case("arith.minsi",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return llvm::APIntOps::smin(a, b);
                })
          .Case("arith.maxui",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return llvm::APIntOps::umax(a, b);
                })
          .Case("arith.minui",
                [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                  return llvm::APIntOps::umin(a, b);
                })
          .Default(nullptr);
  if (intFn) {
    for (int64_t l = 0; l < lanes; ++l) {
      std::optional<APInt> v =
          intFn(toInt(operand(0, l), result), toInt(operand(1, l), result));
      if (!v)
        return fail(thread, op,
                    "undefined result (division by zero or a shift by the "
                    "bit width or more)");
      out[l] = fromInt(*v);
    }
    thread.values[op->getResult(0)] = std::move(out);
    return success();
  }

  // Float binary ops, rounded as the type says.
  using FloatFn = APFloat (*)(const APFloat &, const APFloat &);
  FloatFn floatFn =
      llvm::StringSwitch<FloatFn>(name)
          .Case("arith.addf",
                [](const APFloat &a, const APFloat &b) { return a + b; })
          .Case("arith.subf",
                [](const APFloat &a, const APFloat &b) { return a - b; })
          .Case("arith.mulf",
                [](const APFloat &a, const APFloat &b) { return a * b; })
          .Case("arith.divf",
                [](const APFloat &a, const APFloat &b) { return a / b; })
          .Case("arith.remf",
                [](const APFloat &a, const APFloat &b) {
                  APFloat r = a;
                  r.mod(b);
                  return r;
                })
          .Case("arith.maximumf",
                [](const APFloat &a, const APFloat &b) {
                  return llvm::maximum(a, b);
                })
          .Case("arith.minimumf",
                [](const APFloat &a, const APFloat &b) {
                  return llvm::minimum(a, b);
                })
          .Case("arith.maxnumf",
                [](const APFloat &a, const APFloat &b) {
                  return llvm::maxnum(a, b);
                })
          .Case("arith.minnumf",
                [](const APFloat &a, const APFloat &b) {
                  return llvm::minnum(a, b);
                })
          .Case("math.copysign",
                [](const APFloat &a, const APFloat &b) {
                  APFloat r = a;
                  r.copySign(b);
                  return r;
                })
          .Default(nullptr);
  if (floatFn) {
    for (int64_t l = 0; l < lanes; ++l)
      out[l] = fromFloat(floatFn(toFloat(operand(0, l), result),
                                 toFloat(operand(1, l), result)));
    thread.values[op->getResult(0)] = std::move(out);
    return success();
  }
  if (name == "math.powf" || name == "math.atan2") {
    for (int64_t l = 0; l < lanes; ++l) {
      double a = toDouble(operand(0, l), result);
      double b = toDouble(operand(1, l), result);
      out[l] = fromDouble(
          name == "math.powf" ? std::pow(a, b) : std::atan2(a, b), result);
    }
    thread.values[op->getResult(0)] = std::move(out);
    return success();
  }
  if (double (*fn)(double) = libmFor(name)) {
    for (int64_t l = 0; l < lanes; ++l)
      out[l] = fromDouble(fn(toDouble(operand(0, l), result)), result);
    thread.values[op->getResult(0)] = std::move(out);
    return success();
  }
  if (isa<math::FmaOp, LLVM::FMAOp>(op)) {
    for (int64_t l = 0; l < lanes; ++l) {
      APFloat r = toFloat(operand(0, l), result);
      r.fusedMultiplyAdd(toFloat(operand(1, l), result),
                         toFloat(operand(2, l), result),
                         APFloat::rmNearestTiesToEven);
      out[l] = fromFloat(r);
    }
    thread.values[op->getResult(0)] = std::move(out);
    return success();
  }

  LogicalResult status = success();
  handled =
      llvm::TypeSwitch<Operation *, bool>(op)
          .Case([&](arith::NegFOp) {
            for (int64_t l = 0; l < lanes; ++l) {
              APFloat v = toFloat(operand(0, l), result);
              v.changeSign();
              out[l] = fromFloat(v);
            }
            return true;
          })
          .Case([&](arith::CmpIOp cmp) {
            for (int64_t l = 0; l < lanes; ++l)
              out[l] = arith::applyCmpPredicate(
                  cmp.getPredicate(), toInt(operand(0, l), operandType(0)),
                  toInt(operand(1, l), operandType(0)));
            return true;
          })
          .Case([&](arith::CmpFOp cmp) {
            for (int64_t l = 0; l < lanes; ++l)
              out[l] = arith::applyCmpPredicate(
                  cmp.getPredicate(), toFloat(operand(0, l), operandType(0)),
                  toFloat(operand(1, l), operandType(0)));
            return true;
          })
          .Case([&](arith::SelectOp) {
            for (int64_t l = 0; l < lanes; ++l)
              out[l] = operand(0, l) ? operand(1, l) : operand(2, l);
            return true;
          })
          .Case<arith::ExtSIOp, arith::IndexCastOp>([&](Operation *) {
            for (int64_t l = 0; l < lanes; ++l)
              out[l] = fromInt(toInt(operand(0, l), operandType(0))
                                   .sextOrTrunc(widthOf(result)));
            return true;
          })
          .Case<arith::ExtUIOp, arith::TruncIOp, arith::IndexCastUIOp>(
              [&](Operation *) {
                for (int64_t l = 0; l < lanes; ++l)
                  out[l] = fromInt(toInt(operand(0, l), operandType(0))
                                       .zextOrTrunc(widthOf(result)));
                return true;
              })
          .Case<arith::ExtFOp, arith::TruncFOp>([&](Operation *) {
            for (int64_t l = 0; l < lanes; ++l) {
              APFloat v = toFloat(operand(0, l), operandType(0));
              bool lost;
              v.convert(cast<FloatType>(result).getFloatSemantics(),
                        APFloat::rmNearestTiesToEven, &lost);
              out[l] = fromFloat(v);
            }
            return true;
          })
          .Case<arith::SIToFPOp, arith::UIToFPOp>([&](Operation *cast) {
            bool isSigned = isa<arith::SIToFPOp>(cast);
            for (int64_t l = 0; l < lanes; ++l) {
              APFloat v(llvm::cast<FloatType>(result).getFloatSemantics());
              v.convertFromAPInt(toInt(operand(0, l), operandType(0)), isSigned,
                                 APFloat::rmNearestTiesToEven);
              out[l] = fromFloat(v);
            }
            return true;
          })
          .Case<arith::FPToSIOp, arith::FPToUIOp>([&](Operation *cast) {
            bool isSigned = isa<arith::FPToSIOp>(cast);
            for (int64_t l = 0; l < lanes; ++l) {
              APFloat v = toFloat(operand(0, l), operandType(0));
              llvm::APSInt r(widthOf(result), !isSigned);
              bool exact;
              // Out of range saturates, as PTX's cvt.rzi does; NaN gives 0.
              v.convertToInteger(r, APFloat::rmTowardZero, &exact);
              out[l] = v.isNaN() ? 0 : fromInt(r);
            }
            return true;
          })
          .Case([&](arith::BitcastOp) {
            for (int64_t l = 0; l < lanes; ++l)
              out[l] = operand(0, l);
            return true;
          })
          .Default([](Operation *) { return false; });
  if (handled)
    thread.values[op->getResult(0)] = std::move(out);
  return status;
}

LogicalResult Emulator::atomicRMW(Thread &thread, LLVM::AtomicRMWOp op) {
  Type type = op.getVal().getType();
  int64_t bytes = bytesOf(type);
  uint64_t address = get(thread, op.getPtr())[0];
  if (address % bytes)
    return fail(thread, op, "misaligned atomic");
  uint8_t *pointer;
  if (failed(access(thread, op, address, bytes, /*write=*/true,
                    /*atomic=*/true, /*stored=*/nullptr, pointer)))
    return failure();
  uint64_t old = 0;
  std::memcpy(&old, pointer, bytes);
  uint64_t operand = get(thread, op.getVal())[0];
  uint64_t updated;
  using Bin = LLVM::AtomicBinOp;
  if (isa<FloatType>(type)) {
    APFloat a = toFloat(old, type), b = toFloat(operand, type);
    switch (op.getBinOp()) {
    case Bin::fadd:
      updated = fromFloat(a + b);
      break;
    case Bin::fsub:
      updated = fromFloat(a - b);
      break;
    case Bin::fmax:
      updated = fromFloat(llvm::maxnum(a, b));
      break;
    case Bin::fmin:
      updated = fromFloat(llvm::minnum(a, b));
      break;
    case Bin::xchg:
      updated = operand;
      break;
    default:
      return fail(thread, op, "unsupported float atomic");
    }
  } else {
    APInt a = toInt(old, type), b = toInt(operand, type);
    APInt r = b;
    switch (op.getBinOp()) {
    case Bin::xchg:
      break;
    case Bin::add:
      r = a + b;
      break;
    case Bin::sub:
      r = a - b;
      break;
    case Bin::_and:
      r = a & b;
      break;
    case Bin::_or:
      r = a | b;
      break;
    case Bin::_xor:
      r = a ^ b;
      break;
    case Bin::max:
      r = llvm::APIntOps::smax(a, b);
      break;
    case Bin::min:
      r = llvm::APIntOps::smin(a, b);
      break;
    case Bin::umax:
      r = llvm::APIntOps::umax(a, b);
      break;
    case Bin::umin:
      r = llvm::APIntOps::umin(a, b);
      break;
    default:
      return fail(thread, op, "unsupported integer atomic");
    }
    updated = fromInt(r);
  }
  std::memcpy(pointer, &updated, bytes);
  thread.values[op.getResult()] = {old};
  return success();
}

FailureOr<uint64_t> Emulator::sharedOffset(Thread &thread, Operation *op,
                                           uint64_t address, int64_t bytes,
                                           const llvm::Twine &what) {
  if (address < kSharedBase || address - kSharedBase + bytes > shared.size())
    return fail(thread, op,
                what + " of " + llvm::Twine(bytes) + " bytes at 0x" +
                    llvm::Twine::utohexstr(address) +
                    " is not inside the block's " + llvm::Twine(shared.size()) +
                    " bytes of shared memory");
  return address - kSharedBase;
}

LogicalResult Emulator::asyncCopy(Thread &thread, NVVM::CpAsyncOp op) {
  // cp.async.{ca,cg}.shared.global [dst], [src], cp-size{, src-size}: reads
  // src-size bytes (all cp-size when not given) and fills the rest of the
  // cp-size bytes with zeros; both addresses are aligned to cp-size.
  int64_t size = op.getSize();
  int64_t sourceBytes = size;
  if (Value given = op.getCpSize())
    sourceBytes = toInt(get(thread, given)[0], given.getType()).getSExtValue();
  if (sourceBytes < 0 || sourceBytes > size)
    return fail(thread, op,
                "src-size " + llvm::Twine(sourceBytes) + " is outside [0, " +
                    llvm::Twine(size) + "]");
  uint64_t destination = get(thread, op.getDst())[0];
  uint64_t source = get(thread, op.getSrc())[0];
  if (destination % size || (sourceBytes && source % size))
    return fail(thread, op,
                "cp.async of " + llvm::Twine(size) + " bytes from 0x" +
                    llvm::Twine::utohexstr(source) + " to 0x" +
                    llvm::Twine::utohexstr(destination) + ": both must be " +
                    llvm::Twine(size) + "-byte aligned");
  FailureOr<uint64_t> offset =
      sharedOffset(thread, op, destination, size, "cp.async destination");
  if (failed(offset))
    return failure();
  AsyncCopy copy{*offset, std::vector<uint8_t>(size, 0)};
  if (sourceBytes) {
    uint8_t *pointer;
    if (failed(access(thread, op, source, sourceBytes, /*write=*/false,
                      /*atomic=*/false, /*stored=*/nullptr, pointer)))
      return failure();
    std::memcpy(copy.bytes.data(), pointer, sourceBytes);
  }
  // The copy may land any time until it is waited for: a write now as far as
  // other threads' accesses since the last barrier go, and off limits to
  // everyone until then.
  if (failed(sharedAccess(thread, op, *offset, size, /*write=*/true)))
    return failure();
  for (int64_t b = 0; b < size; ++b)
    shadow[*offset + b].copier = thread.id;
  thread.uncommitted.push_back(std::move(copy));
  return success();
}

void Emulator::completeCopy(Thread &thread, const AsyncCopy &copy) {
  std::memcpy(shared.data() + copy.offset, copy.bytes.data(),
              copy.bytes.size());
  for (size_t b = 0; b < copy.bytes.size(); ++b) {
    Shadow &s = shadow[copy.offset + b];
    s.copier = -1;
    s.writeEpoch = epoch;
    s.writer = thread.id;
  }
}

LogicalResult Emulator::releaseShuffle(gpu::ShuffleOp op, Thread *lanes) {
  std::array<Bits, 32> in;
  for (int l = 0; l < 32; ++l)
    in[l] = lanes[l].shuffleValue;
  for (int l = 0; l < 32; ++l) {
    int64_t width = lanes[l].shuffleWidth, offset = lanes[l].shuffleOffset;
    // What -convert-kdsl-to-gpu emits: whole-warp shuffles by 0-31 lanes
    // (wider or segmented ones differ between gpu.shuffle and shfl.sync).
    if (width != 32 || offset < 0 || offset >= 32)
      return fail(lanes[l], op,
                  "a shuffle of width " + llvm::Twine(width) + " by " +
                      llvm::Twine(offset));
    int64_t segment = l / width * width, inSegment = l % width, source;
    switch (op.getMode()) {
    case gpu::ShuffleMode::XOR:
      source = inSegment ^ offset;
      break;
    case gpu::ShuffleMode::DOWN:
      source = inSegment + offset;
      break;
    case gpu::ShuffleMode::UP:
      source = inSegment - offset;
      break;
    case gpu::ShuffleMode::IDX:
      source = offset;
      break;
    }
    bool valid = source >= 0 && source < width;
    lanes[l].shuffleValid = valid;
    lanes[l].shuffleValue = valid ? in[segment + source] : in[l];
  }
  return success();
}

LogicalResult Emulator::releaseLdMatrix(NVVM::LdMatrixOp op, Thread *lanes) {
  // ldmatrix.sync.aligned.m8n8.x{1,2,4}{.trans}.shared.b16: lanes 8j..8j+7
  // give the addresses of matrix j's 8 rows, 16 contiguous bytes each,
  // 16-byte aligned; each lane receives one 32-bit register per matrix.
  NVVM::LdStMatrixShapeAttr shape = op.getShape();
  if (shape.getM() != 8 || shape.getN() != 8 ||
      op.getEltType() != NVVM::LdStMatrixEltType::B16)
    return fail(lanes[0], op, "the emulator runs ldmatrix .m8n8 .b16 only");
  int num = op.getNum();
  bool transpose = op.getLayout() == NVVM::MMALayout::col;
  uint16_t rows[4][8][8];
  for (int j = 0; j < num; ++j)
    for (int r = 0; r < 8; ++r) {
      Thread &lane = lanes[8 * j + r];
      uint64_t address = get(lane, op.getPtr())[0];
      if (address % 16)
        return fail(lane, op,
                    "ldmatrix row address 0x" +
                        llvm::Twine::utohexstr(address) +
                        " is not 16-byte aligned");
      if (failed(sharedOffset(lane, op, address, 16, "ldmatrix row")))
        return failure();
      uint8_t *pointer;
      if (failed(access(lane, op, address, 16, /*write=*/false,
                        /*atomic=*/false, /*stored=*/nullptr, pointer)))
        return failure();
      std::memcpy(rows[j][r], pointer, 16);
    }
  // Shared memory serves 32 banks of 4 bytes a cycle: a 16-byte row takes
  // the 4 banks of its quad, (address / 16) % 8. A matrix's 8 rows take as
  // many wavefronts as the most rows of different addresses share a quad.
  for (int j = 0; j < num; ++j) {
    std::array<llvm::SmallVector<uint64_t, 8>, 8> byQuad;
    for (int r = 0; r < 8; ++r) {
      uint64_t address = get(lanes[8 * j + r], op.getPtr())[0];
      auto &quad = byQuad[(address / 16) % 8];
      if (!llvm::is_contained(quad, address))
        quad.push_back(address);
    }
    size_t wavefronts = 1;
    for (const auto &quad : byQuad)
      wavefronts = std::max(wavefronts, quad.size());
    ++stats.ldmatrixMatrices;
    stats.ldmatrixWavefronts += wavefronts;
  }
  for (int l = 0; l < 32; ++l) {
    Bits registers;
    for (int j = 0; j < num; ++j) {
      uint64_t value = 0;
      for (int e = 0; e < 2; ++e) {
        kdsl::emulator::Position at =
            kdsl::emulator::ldmatrixSource(l, e, transpose);
        value |= uint64_t(rows[j][at.row][at.col]) << (16 * e);
      }
      registers.push_back(value);
    }
    lanes[l].values[op.getRes()] = std::move(registers);
  }
  return success();
}

LogicalResult Emulator::releaseMma(NVVM::MmaOp op, Thread *lanes) {
  using namespace kdsl::emulator;
  auto typeOf = [&](std::optional<NVVM::MMATypes> given,
                    ValueRange operands) -> std::optional<NVVM::MMATypes> {
    if (given)
      return given;
    llvm::SmallVector<Type> scalars;
    scalarsOf(operands.front().getType(), scalars);
    return NVVM::MmaOp::inferOperandMMAType(scalars.front(),
                                            /*isAccumulator=*/false);
  };
  std::optional<NVVM::MMATypes> a =
      typeOf(op.getMultiplicandAPtxType(), op.getOperandA());
  std::optional<NVVM::MMATypes> b =
      typeOf(op.getMultiplicandBPtxType(), op.getOperandB());
  std::optional<MmaInput> input;
  if (a && a == b)
    switch (*a) {
    case NVVM::MMATypes::f16:
      input = MmaInput::F16;
      break;
    case NVVM::MMATypes::bf16:
      input = MmaInput::BF16;
      break;
    case NVVM::MMATypes::tf32:
      input = MmaInput::TF32;
      break;
    case NVVM::MMATypes::s8:
      input = MmaInput::S8;
      break;
    case NVVM::MMATypes::u8:
      input = MmaInput::U8;
      break;
    default:
      break;
    }
  if (!input)
    return fail(lanes[0], op,
                "the emulator runs mma.sync on f16, bf16, tf32, s8 and u8 "
                "multiplicands of one type");
  if (op.getLayoutA() != NVVM::MMALayout::row ||
      op.getLayoutB() != NVVM::MMALayout::col)
    return fail(lanes[0], op, "the emulator runs mma.sync .row.col only");
  NVVM::MMAShapeAttr shape = op.getShape();
  std::string why;
  std::optional<MmaKind> kind =
      mmaKindFor(shape.getM(), shape.getN(), shape.getK(), *input, why);
  if (!kind)
    return fail(lanes[0], op, why);
  llvm::SmallVector<Type> accumulators;
  scalarsOf(op.getRes().getType(), accumulators);
  Type accumulator = accumulators.front();
  if (accumulators.size() * widthOf(accumulator) != 4 * 32 &&
      !(accumulator.isF16() && accumulators.size() == 4))
    return fail(lanes[0], op, "an accumulator that is not 16 x 8");

  // Gather A, B and C from the lanes' registers.
  auto imageOfAll = [&](Thread &lane, ValueRange operands) {
    std::vector<uint8_t> image;
    for (Value operand : operands) {
      std::vector<uint8_t> one = imageOf(get(lane, operand), operand.getType());
      image.insert(image.end(), one.begin(), one.end());
    }
    return image;
  };
  int bytes = kind->elementBytes();
  auto multiplicand = [&](const uint8_t *at) -> double {
    uint32_t raw = 0;
    std::memcpy(&raw, at, bytes);
    switch (kind->input) {
    case MmaInput::F16:
      return toDouble(raw, Float16Type::get(op.getContext()));
    case MmaInput::BF16:
      return toDouble(raw, BFloat16Type::get(op.getContext()));
    case MmaInput::TF32:
      // .tf32 operands: the 19 high bits of an f32 register; the low 13
      // bits are ignored.
      return toDouble(raw & ~0x1FFFu, Float32Type::get(op.getContext()));
    case MmaInput::S8:
      return int8_t(raw);
    case MmaInput::U8:
      return uint8_t(raw);
    }
    return 0;
  };
  std::vector<double> A(kind->m * kind->k), B(kind->k * kind->n);
  std::vector<uint64_t> C(16 * 8);
  for (int l = 0; l < 32; ++l) {
    std::vector<uint8_t> image = imageOfAll(lanes[l], op.getOperandA());
    if (int64_t(image.size()) != kind->aElements() * bytes)
      return fail(lanes[l], op,
                  "A is not " + llvm::Twine(kind->aElements()) +
                      " elements a lane");
    for (int i = 0; i < kind->aElements(); ++i) {
      Position at = mmaFragmentA(*kind, l, i);
      A[at.row * kind->k + at.col] = multiplicand(&image[i * bytes]);
    }
    image = imageOfAll(lanes[l], op.getOperandB());
    if (int64_t(image.size()) != kind->bElements() * bytes)
      return fail(lanes[l], op,
                  "B is not " + llvm::Twine(kind->bElements()) +
                      " elements a lane");
    for (int i = 0; i < kind->bElements(); ++i) {
      Position at = mmaFragmentB(*kind, l, i);
      B[at.row * kind->n + at.col] = multiplicand(&image[i * bytes]);
    }
    Bits c;
    for (Value operand : op.getOperandC())
      llvm::append_range(c, get(lanes[l], operand));
    if (c.size() != 4)
      return fail(lanes[l], op, "C is not 4 elements a lane");
    for (int i = 0; i < 4; ++i) {
      Position at = mmaFragmentC(l, i);
      C[at.row * 8 + at.col] = c[i];
    }
  }

  // D = A B + C. Products of f16, bf16, tf32 and 8-bit values are exact in
  // double and so is the sum of k of them; the result is rounded once to
  // the accumulator's type (the tensor cores' own order and rounding of the
  // additions are not specified: results may differ from a GPU's in the
  // last bit). Integer sums saturate (.satfinite, the default) or wrap.
  bool wrap = op.getIntOverflowBehavior() == NVVM::MMAIntOverflow::wrapped;
  std::vector<uint64_t> D(16 * 8);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 8; ++j) {
      if (isa<IntegerType>(accumulator)) {
        int64_t sum = int32_t(C[i * 8 + j]);
        for (int k = 0; k < kind->k; ++k)
          sum += int64_t(A[i * kind->k + k]) * int64_t(B[k * 8 + j]);
        if (!wrap)
          sum = std::clamp<int64_t>(sum, INT32_MIN, INT32_MAX);
        D[i * 8 + j] = uint32_t(sum);
        continue;
      }
      double sum = toDouble(C[i * 8 + j], accumulator);
      for (int k = 0; k < kind->k; ++k)
        sum += A[i * kind->k + k] * B[k * 8 + j];
      D[i * 8 + j] = fromDouble(sum, accumulator);
    }
  for (int l = 0; l < 32; ++l) {
    Bits d(4);
    for (int i = 0; i < 4; ++i) {
      Position at = mmaFragmentC(l, i);
      d[i] = D[at.row * 8 + at.col];
    }
    lanes[l].values[op.getRes()] = std::move(d);
  }
  return success();
}

LogicalResult Emulator::runOp(Thread &thread, Operation *op) {
  bool handled;
  if (failed(runArith(thread, op, handled)))
    return failure();
  if (handled)
    return success();

  llvm::StringRef name = op->getName().getStringRef();
  if (name.starts_with("nvvm.read.ptx.sreg.")) {
    llvm::StringRef reg = name.drop_front(strlen("nvvm.read.ptx.sreg."));
    int64_t value = llvm::StringSwitch<int64_t>(reg)
                        .Case("tid.x", thread.id)
                        .Case("tid.y", 0)
                        .Case("tid.z", 0)
                        .Case("ntid.x", blockThreads)
                        .Case("ntid.y", 1)
                        .Case("ntid.z", 1)
                        .Case("ctaid.x", block[0])
                        .Case("ctaid.y", block[1])
                        .Case("ctaid.z", block[2])
                        .Case("nctaid.x", grid[0])
                        .Case("nctaid.y", grid[1])
                        .Case("nctaid.z", grid[2])
                        .Case("laneid", thread.id % 32)
                        .Case("warpsize", 32)
                        .Default(-1);
    if (value < 0)
      return fail(thread, op, "unknown special register");
    thread.values[op->getResult(0)] = {uint64_t(value)};
    return success();
  }

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](scf::IfOp ifOp) -> LogicalResult {
        llvm::SmallVector<Bits> results;
        Region &region = get(thread, ifOp.getCondition())[0]
                             ? ifOp.getThenRegion()
                             : ifOp.getElseRegion();
        if (region.empty())
          return success();
        if (failed(runRegion(thread, region, {}, results)))
          return failure();
        for (auto [result, bits] : llvm::zip_equal(ifOp.getResults(), results))
          thread.values[result] = bits;
        return success();
      })
      .Case([&](scf::ForOp forOp) -> LogicalResult {
        Type type = forOp.getInductionVar().getType();
        APInt iv = toInt(get(thread, forOp.getLowerBound())[0], type);
        APInt upper = toInt(get(thread, forOp.getUpperBound())[0], type);
        APInt step = toInt(get(thread, forOp.getStep())[0], type);
        if (!step.isStrictlyPositive())
          return fail(thread, op, "a loop step that is not positive");
        bool isSigned = !forOp.getUnsignedCmp();
        llvm::SmallVector<Bits> carried;
        for (Value init : forOp.getInitArgs())
          carried.push_back(get(thread, init));
        while (isSigned ? iv.slt(upper) : iv.ult(upper)) {
          llvm::SmallVector<Bits> blockArgs = {Bits{fromInt(iv)}};
          blockArgs.append(carried.begin(), carried.end());
          if (failed(runRegion(thread, forOp.getRegion(), blockArgs, carried)))
            return failure();
          bool overflow;
          iv = isSigned ? iv.sadd_ov(step, overflow)
                        : iv.uadd_ov(step, overflow);
          if (overflow)
            return fail(thread, op,
                        "the induction variable overflows (the GPU's "
                        "wraps and the loop goes on)");
        }
        for (auto [result, bits] : llvm::zip_equal(forOp.getResults(), carried))
          thread.values[result] = bits;
        return success();
      })
      .Case([&](cf::AssertOp assertOp) -> LogicalResult {
        // A device-side assert (__assertfail): the kernel stops, and the
        // message is what the GPU prints.
        if (get(thread, assertOp.getArg())[0] & 1)
          return success();
        return fail(thread, op, "assertion failed: " + assertOp.getMsg().str());
      })
      .Case([&](gpu::BarrierOp) -> LogicalResult {
        suspend(thread, Wait::Barrier, op);
        return success();
      })
      .Case([&](gpu::ShuffleOp shuffle) -> LogicalResult {
        thread.shuffleValue = get(thread, shuffle.getValue());
        thread.shuffleOffset = toInt(get(thread, shuffle.getOffset())[0],
                                     shuffle.getOffset().getType())
                                   .getSExtValue();
        thread.shuffleWidth = toInt(get(thread, shuffle.getWidth())[0],
                                    shuffle.getWidth().getType())
                                  .getSExtValue();
        suspend(thread, Wait::Warp, op);
        thread.values[shuffle.getShuffleResult()] = thread.shuffleValue;
        thread.values[shuffle.getValid()] = {uint64_t(thread.shuffleValid)};
        return success();
      })
      .Case<NVVM::LdMatrixOp, NVVM::MmaOp>([&](Operation *) -> LogicalResult {
        // The warp's lanes run it together (releaseLdMatrix, releaseMma),
        // which sets this lane's result.
        suspend(thread, Wait::Warp, op);
        return success();
      })
      .Case([&](NVVM::CpAsyncOp copy) { return asyncCopy(thread, copy); })
      .Case([&](NVVM::CpAsyncCommitGroupOp) -> LogicalResult {
        thread.committed.push_back(std::move(thread.uncommitted));
        thread.uncommitted.clear();
        return success();
      })
      .Case([&](NVVM::CpAsyncWaitGroupOp wait) -> LogicalResult {
        // Until at most n of this thread's committed groups are in flight;
        // copies not yet committed are not waited for.
        while (thread.committed.size() > wait.getN()) {
          for (const AsyncCopy &copy : thread.committed.front())
            completeCopy(thread, copy);
          thread.committed.pop_front();
        }
        return success();
      })
      .Case([&](LLVM::ExtractValueOp extract) -> LogicalResult {
        auto [first, count] =
            memberOf(extract.getContainer().getType(), extract.getPosition());
        const Bits &whole = get(thread, extract.getContainer());
        thread.values[extract.getResult()] =
            Bits(whole.begin() + first, whole.begin() + first + count);
        return success();
      })
      .Case([&](LLVM::InsertValueOp insert) -> LogicalResult {
        auto [first, count] =
            memberOf(insert.getContainer().getType(), insert.getPosition());
        Bits whole = get(thread, insert.getContainer());
        const Bits &value = get(thread, insert.getValue());
        std::copy(value.begin(), value.end(), whole.begin() + first);
        thread.values[insert.getResult()] = std::move(whole);
        return success();
      })
      .Case<LLVM::UndefOp, LLVM::PoisonOp>([&](Operation *) -> LogicalResult {
        thread.values[op->getResult(0)] =
            Bits(lanesOf(op->getResult(0).getType()), 0);
        return success();
      })
      .Case([&](LLVM::BitcastOp cast) -> LogicalResult {
        thread.values[cast.getResult()] = fromImage(
            imageOf(get(thread, cast.getArg()), cast.getArg().getType()),
            cast.getType());
        return success();
      })
      .Case([&](vector::ExtractOp extract) -> LogicalResult {
        if (extract.hasDynamicPosition())
          return fail(thread, op, "a dynamic position");
        auto source = cast<VectorType>(extract.getSource().getType());
        int64_t linear = 0;
        for (auto [i, p] : llvm::enumerate(extract.getStaticPosition()))
          linear = linear * source.getDimSize(i) + p;
        int64_t count = lanesOf(extract.getType());
        for (int64_t i = extract.getStaticPosition().size();
             i < source.getRank(); ++i)
          linear *= source.getDimSize(i);
        const Bits &bits = get(thread, extract.getSource());
        thread.values[extract.getResult()] =
            Bits(bits.begin() + linear, bits.begin() + linear + count);
        return success();
      })
      .Case([&](vector::InsertOp insert) -> LogicalResult {
        if (insert.hasDynamicPosition())
          return fail(thread, op, "a dynamic position");
        auto dest = cast<VectorType>(insert.getDest().getType());
        int64_t linear = 0;
        for (auto [i, p] : llvm::enumerate(insert.getStaticPosition()))
          linear = linear * dest.getDimSize(i) + p;
        for (int64_t i = insert.getStaticPosition().size(); i < dest.getRank();
             ++i)
          linear *= dest.getDimSize(i);
        Bits bits = get(thread, insert.getDest());
        const Bits &value = get(thread, insert.getValueToStore());
        std::copy(value.begin(), value.end(), bits.begin() + linear);
        thread.values[insert.getResult()] = std::move(bits);
        return success();
      })
      .Case([&](vector::FromElementsOp from) -> LogicalResult {
        Bits bits;
        for (Value element : from.getElements())
          bits.push_back(get(thread, element)[0]);
        thread.values[from.getResult()] = std::move(bits);
        return success();
      })
      .Case([&](vector::BroadcastOp broadcast) -> LogicalResult {
        const Bits &source = get(thread, broadcast.getSource());
        if (source.size() != 1)
          return fail(thread, op, "only scalar broadcasts are supported");
        thread.values[broadcast.getResult()] =
            Bits(lanesOf(broadcast.getType()), source[0]);
        return success();
      })
      .Case([&](LLVM::ZeroOp zero) -> LogicalResult {
        thread.values[zero.getResult()] = Bits(lanesOf(zero.getType()), 0);
        return success();
      })
      .Case([&](LLVM::AddressOfOp addressOf) -> LogicalResult {
        if (addressOf.getGlobalName() != "kdsl_shared")
          return fail(thread, op, "only @kdsl_shared is supported");
        thread.values[addressOf.getResult()] = {kSharedBase};
        return success();
      })
      .Case([&](LLVM::GEPOp gep) -> LogicalResult {
        Type element = gep.getElemType();
        if (!element.isIntOrFloat() && !isa<VectorType>(element))
          return fail(thread, op, "unsupported element type");
        auto indices = gep.getIndices();
        if (std::distance(indices.begin(), indices.end()) != 1)
          return fail(thread, op, "only one index is supported");
        int64_t index;
        auto first = *indices.begin();
        if (auto attr = dyn_cast<IntegerAttr>(first))
          index = attr.getValue().getSExtValue();
        else {
          Value value = cast<Value>(first);
          index = toInt(get(thread, value)[0], value.getType()).getSExtValue();
        }
        uint64_t base = get(thread, gep.getBase())[0];
        thread.values[gep.getResult()] = {base +
                                          uint64_t(index * bytesOf(element))};
        return success();
      })
      .Case([&](LLVM::LoadOp load) -> LogicalResult {
        Type type = load.getResult().getType();
        uint8_t *pointer;
        if (failed(plainAccess(thread, op, load.getAddr(), type,
                               load.getAlignment(), /*stored=*/nullptr,
                               pointer)))
          return failure();
        int64_t lanes = lanesOf(type), size = bytesOf(type) / lanes;
        Bits bits(lanes, 0);
        for (int64_t l = 0; l < lanes; ++l)
          std::memcpy(&bits[l], pointer + l * size, size);
        if (widthOf(elementOf(type)) == 1)
          for (uint64_t &b : bits)
            b &= 1;
        thread.values[load.getResult()] = std::move(bits);
        return success();
      })
      .Case([&](LLVM::StoreOp store) -> LogicalResult {
        Type type = store.getValue().getType();
        int64_t lanes = lanesOf(type), size = bytesOf(type) / lanes;
        const Bits &bits = get(thread, store.getValue());
        llvm::SmallVector<uint8_t, 64> image(bytesOf(type));
        for (int64_t l = 0; l < lanes; ++l)
          std::memcpy(image.data() + l * size, &bits[l], size);
        uint8_t *pointer;
        if (failed(plainAccess(thread, op, store.getAddr(), type,
                               store.getAlignment(), image.data(), pointer)))
          return failure();
        std::memcpy(pointer, image.data(), image.size());
        return success();
      })
      .Case([&](LLVM::AtomicRMWOp atomic) { return atomicRMW(thread, atomic); })
      .Case([&](LLVM::CallIntrinsicOp call) -> LogicalResult {
        if (call.getIntrin() != "llvm.nvvm.div.full" ||
            call.getNumOperands() != 2)
          return fail(thread, op, "unknown intrinsic");
        // div.full.f32: within 2 ulp of a / b; the host divides exactly.
        Type type = call.getResult(0).getType();
        APFloat a = toFloat(get(thread, call.getOperand(0))[0], type);
        APFloat b = toFloat(get(thread, call.getOperand(1))[0], type);
        thread.values[call.getResult(0)] = {fromFloat(a / b)};
        return success();
      })
      .Default([&](Operation *) -> LogicalResult {
        return fail(thread, op, "the emulator does not know this op");
      });
}

bool Emulator::runBlock() {
  // Garbage, as a GPU's shared memory holds; the shadow also fails reads of
  // bytes the block has not written.
  std::fill(shared.begin(), shared.end(), 0xFF);
  shadow.assign(shared.size(), Shadow());
  epoch = 1;
  auto self = reinterpret_cast<uintptr_t>(this);
  for (Thread &thread : threads) {
    thread.values.clear();
    thread.wait = Wait::Running;
    thread.waitingAt = nullptr;
    getcontext(&thread.context);
    thread.context.uc_stack.ss_sp = thread.stack.get();
    thread.context.uc_stack.ss_size = kStackBytes;
    thread.context.uc_link = &scheduler;
    makecontext(&thread.context, reinterpret_cast<void (*)()>(&fiberMain), 2,
                unsigned(self >> 32), unsigned(self & 0xFFFFFFFFu));
  }
  while (true) {
    for (Thread &thread : threads) {
      if (thread.wait != Wait::Running)
        continue;
      current = thread.id;
      swapcontext(&scheduler, &thread.context);
      if (thread.wait == Wait::Failed)
        return false;
    }
    // Release every warp whose lanes all wait at the same warp-wide op.
    bool released = false;
    for (int warp = 0; warp < blockThreads / 32; ++warp) {
      Thread *lanes = &threads[warp * 32];
      int waiting = 0;
      for (int l = 0; l < 32; ++l)
        waiting += lanes[l].wait == Wait::Warp;
      if (waiting == 0)
        continue;
      Operation *at = nullptr;
      for (int l = 0; l < 32 && !at; ++l)
        if (lanes[l].wait == Wait::Warp)
          at = lanes[l].waitingAt;
      if (waiting != 32)
        return blockFailure("warp " + llvm::Twine(warp) + ": only " +
                            llvm::Twine(waiting) + " of its lanes reached '" +
                            at->getName().getStringRef() +
                            "', which needs all 32");
      for (int l = 0; l < 32; ++l)
        if (lanes[l].waitingAt != at)
          return blockFailure("warp " + llvm::Twine(warp) +
                              ": lanes wait at different warp-wide ops");
      LogicalResult result =
          llvm::TypeSwitch<Operation *, LogicalResult>(at)
              .Case(
                  [&](gpu::ShuffleOp op) { return releaseShuffle(op, lanes); })
              .Case([&](NVVM::LdMatrixOp op) {
                return releaseLdMatrix(op, lanes);
              })
              .Case([&](NVVM::MmaOp op) { return releaseMma(op, lanes); });
      if (failed(result))
        return false;
      for (int l = 0; l < 32; ++l)
        lanes[l].wait = Wait::Running;
      released = true;
    }
    if (released)
      continue;
    int atBarrier = 0, done = 0;
    for (Thread &thread : threads) {
      atBarrier += thread.wait == Wait::Barrier;
      done += thread.wait == Wait::Done;
    }
    if (done == blockThreads)
      return true;
    if (atBarrier + done != blockThreads)
      return blockFailure("no thread can go on (deadlock)");
    if (done)
      return blockFailure(llvm::Twine(done) +
                          " threads returned while the others wait at a "
                          "barrier");
    for (Thread &thread : threads) {
      if (thread.waitingAt != threads[0].waitingAt)
        return blockFailure("threads wait at different barriers");
      thread.wait = Wait::Running;
    }
    ++epoch;
  }
}

LogicalResult Emulator::run() {
  auto report = [&](const llvm::Twine &message) {
    return emitError(kernel.getLoc()) << "kernel '" << kernel.getName()
                                      << "' on the SIMT emulator: " << message;
  };
  std::optional<llvm::ArrayRef<int32_t>> known = kernel.getKnownBlockSize();
  if (!known || (*known)[0] % 32 || (*known)[1] != 1 || (*known)[2] != 1) {
    return report("the kernel has no one-dimensional known_block_size of "
                  "whole warps");
  }
  blockThreads = (*known)[0];
  auto sharedBytes = kernel->getAttrOfType<IntegerAttr>("kdsl.shared_bytes");
  shared.assign(sharedBytes ? sharedBytes.getInt() : 0, 0);
  if (!shared.empty())
    ranges.push_back({kSharedBase, kSharedBase + shared.size(), shared.data(),
                      "shared memory", true});

  if (args.size() != kernel.getNumArguments()) {
    return report("the kernel takes " + llvm::Twine(kernel.getNumArguments()) +
                  " arguments, not " + llvm::Twine(args.size()));
  }
  if (std::string why = kdsl::checkGrid(grid); !why.empty()) {
    return report(why);
  }
  for (auto [i, arg] : llvm::enumerate(args)) {
    Type type = kernel.getArgument(i).getType();
    std::string name = i < argNames.size() ? "'" + argNames[i] + "'"
                                           : "argument " + std::to_string(i);
    if (isa<LLVM::LLVMPointerType>(type)) {
      if (!arg.buffer) {
        return report(name + " is a pointer: bind a buffer to it");
      }
      uint64_t begin = argumentBase(i);
      ranges.push_back({begin, begin + arg.buffer->bytes.size(),
                        arg.buffer->bytes.data(), name, false,
                        std::vector<GlobalWrite>(arg.buffer->bytes.size())});
      argBits.push_back({begin});
    } else if (isa<FloatType>(type)) {
      argBits.push_back({fromDouble(arg.floatValue, type)});
    } else {
      argBits.push_back(
          {fromInt(APInt(64, uint64_t(arg.intValue)).trunc(widthOf(type)))});
    }
  }

  threads.resize(blockThreads);
  for (auto [i, thread] : llvm::enumerate(threads)) {
    thread.id = i;
    thread.stack.reset(new char[kStackBytes]);
  }
  for (block[2] = 0; block[2] < grid[2]; ++block[2])
    for (block[1] = 0; block[1] < grid[1]; ++block[1])
      for (block[0] = 0; block[0] < grid[0]; ++block[0])
        if (!runBlock())
          return emitError(*errorLoc) << "kernel '" << kernel.getName()
                                      << "' on the SIMT emulator, " << error;
  return success();
}

} // namespace

LogicalResult kdsl::emulate(gpu::GPUFuncOp kernel, std::array<int64_t, 3> grid,
                            llvm::ArrayRef<kdsl::LaunchArg> args,
                            llvm::ArrayRef<std::string> argNames,
                            EmulatorStats *stats) {
  EmulatorStats ignored;
  Emulator emulator(kernel, grid, args, argNames, stats ? *stats : ignored);
  return emulator.run();
}
