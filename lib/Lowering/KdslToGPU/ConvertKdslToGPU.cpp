//===- ConvertKdslToGPU.cpp - kdsl variants to per-thread GPU code --------===//
//
// Part of the kdsl project.
//
// Implements -convert-kdsl-to-gpu (see Passes.td for the strategy): the
// pass, the walk over a kernel body and elementwise ops. Each other op family
// has a file of its own in this directory; KernelEmitter.h says how the
// pieces fit.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Lowering/Passes.h"
#include "kdsl/Support/Limits.h"

#include "KernelEmitter.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

namespace kdsl {
#define GEN_PASS_DEF_CONVERTKDSLTOGPU
#include "kdsl/Lowering/Passes.h.inc"
} // namespace kdsl

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitRegion(Block &block) {
  for (Operation &op : block.without_terminator())
    if (failed(emitOp(&op)))
      return failure();
  return status;
}

LogicalResult KernelEmitter::emitOp(Operation *op) {
  Location loc = op->getLoc();
  auto isBlock = [](Value v) { return isa<RankedTensorType>(v.getType()); };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ProgramIdOp p) {
        Value id;
        Type t = b.getI32Type();
        switch (p.getAxis()) {
        case 0:
          id = NVVM::BlockIdXOp::create(b, loc, t);
          break;
        case 1:
          id = NVVM::BlockIdYOp::create(b, loc, t);
          break;
        default:
          id = NVVM::BlockIdZOp::create(b, loc, t);
        }
        scalars.map(p.getResult(), id);
        return success();
      })
      .Case([&](NumProgramsOp p) {
        Value n;
        Type t = b.getI32Type();
        switch (p.getAxis()) {
        case 0:
          n = NVVM::GridDimXOp::create(b, loc, t);
          break;
        case 1:
          n = NVVM::GridDimYOp::create(b, loc, t);
          break;
        default:
          n = NVVM::GridDimZOp::create(b, loc, t);
        }
        scalars.map(p.getResult(), n);
        return success();
      })
      .Case([&](ArangeOp a) {
        Type type = a.getType();
        Slots slots;
        for (int64_t s = 0; s < layoutOf(type).slots(); ++s)
          slots.push_back(arith::AddIOp::create(b, loc, scalar(a.getStart()),
                                                coordsOf(loc, type, s)[0]));
        blocks[a.getResult()] = slots;
        return success();
      })
      .Case([&](SplatOp s) {
        blocks[s.getResult()] =
            Slots(layoutOf(s.getResult()).slots(), scalar(s.getValue()));
        return success();
      })
      .Case([&](TransOp t) {
        // A transposed view of a block staged for a dot: nothing moves.
        if (!isa<SharedEncodingAttr>(t.getType().getEncoding()))
          return emitLayoutChange(t);
        sharedOffsets[t.getResult()] = sharedPlaceOf(t.getSrc());
        remark(t.getLoc(), [&](raw_ostream &os) {
          os << "trans of " << describe(t.getType())
             << ": a view of the block staged for dot (nothing moves)";
        });
        return success();
      })
      .Case<ExpandDimsOp, BroadcastOp, ReshapeOp, tensor::CastOp>(
          [&](Operation *op) { return emitLayoutChange(op); })
      .Case([&](ConvertLayoutOp c) { return emitConvertLayout(c); })
      .Case([&](AddPtrOp a) {
        Type elem = convert(
            cast<PtrType>(getElementTypeOrSelf(a.getPtr())).getPointeeType());
        Type ptrType = LLVM::LLVMPointerType::get(ctx, 1);
        if (!isBlock(a.getResult())) {
          scalars.map(a.getResult(),
                      LLVM::GEPOp::create(b, loc, ptrType, elem,
                                          scalar(a.getPtr()),
                                          ValueRange{scalar(a.getOffset())}));
          return success();
        }
        Slots slots;
        const Slots &ptrs = blocks[a.getPtr()], &offs = blocks[a.getOffset()];
        for (size_t s = 0; s < ptrs.size(); ++s)
          slots.push_back(LLVM::GEPOp::create(b, loc, ptrType, elem, ptrs[s],
                                              ValueRange{offs[s]}));
        blocks[a.getResult()] = slots;
        return success();
      })
      .Case([&](LoadOp l) {
        // A load cp.async stages is copied where it is staged.
        return copiedAsync(l) ? success() : emitLoad(l);
      })
      .Case([&](StoreOp s) {
        return emitStore(s, s.getPtr(), s.getValue(), s.getMask());
      })
      .Case([&](AtomicAddOp a) {
        return emitStore(a, a.getPtr(), a.getValue(), a.getMask());
      })
      .Case([&](ReduceOp r) { return emitReduce(r); })
      .Case([&](DotOp d) { return emitDot(d); })
      .Case([&](scf::ForOp f) { return emitFor(f); })
      .Case([&](scf::IfOp i) { return emitIf(i); })
      .Case([&](StaticAssertOp s) {
        return fail(s, "is left after specialization (compile a variant)");
      })
      .Default([&](Operation *op) -> LogicalResult {
        if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) ||
            op->getNumRegions() != 0)
          return fail(op, "cannot be lowered to GPU code yet");
        if (llvm::any_of(op->getResultTypes(),
                         [](Type t) { return isa<RankedTensorType>(t); }))
          return emitElementwise(op);
        SmallVector<Value> operands = llvm::map_to_vector(
            op->getOperands(), [&](Value v) { return scalar(v); });
        for (auto [from, to] : llvm::zip(
                 op->getResults(), emitScalarOp(op, operands)->getResults()))
          scalars.map(from, to);
        return success();
      });
}

/// One scalar instance of the arith or math op `op` on `operands`. An f32
/// division is PTX's `div.full.f32` (full range, within 2 ulp, as Triton
/// lowers it and as LANGUAGE.md allows the math functions) rather than the
/// correctly rounded `div.rn.f32`, whose slow path doubles `ptxas` time and
/// adds registers.
Operation *KernelEmitter::emitScalarOp(Operation *op, ValueRange operands) {
  Type type = getElementTypeOrSelf(op->getResult(0).getType());
  if (isa<arith::DivFOp>(op) && type.isF32())
    return LLVM::CallIntrinsicOp::create(
        b, op->getLoc(), type, b.getStringAttr("llvm.nvvm.div.full"), operands);
  OperationState state(op->getLoc(), op->getName());
  state.addOperands(operands);
  for (Type t : op->getResultTypes())
    state.addTypes(getElementTypeOrSelf(t));
  state.addAttributes(op->getAttrs());
  return b.create(state);
}

LogicalResult KernelEmitter::emitElementwise(Operation *op) {
  Location loc = op->getLoc();
  Value result = op->getResult(0);
  const DistributedLayout &l = layoutOf(result);
  Slots slots;
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    if (!dense || !dense.isSplat())
      return fail(op, "with a non-splat block constant cannot be lowered");
    Value v = arith::ConstantOp::create(
        b, loc, cast<TypedAttr>(dense.getSplatValue<Attribute>()));
    blocks[result] = Slots(l.slots(), v);
    return success();
  }
  for (int64_t s = 0; s < l.slots(); ++s) {
    SmallVector<Value> operands =
        llvm::map_to_vector(op->getOperands(), [&](Value operand) {
          return isa<RankedTensorType>(operand.getType()) ? blocks[operand][s]
                                                          : scalar(operand);
        });
    slots.push_back(emitScalarOp(op, operands)->getResult(0));
  }
  blocks[result] = slots;
  return success();
}

/// Whether `v` is a block in shared memory that only dots read: the
/// #kdsl.shared result of a convert_layout, or a transposed view of one,
/// or one a loop carries in a ring (see planRings).
static bool isStagedForDot(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!isa_and_nonnull<SharedEncodingAttr>(type.getEncoding()))
    return false;
  Operation *def = v.getDefiningOp();
  if (isa_and_nonnull<scf::ForOp>(def))
    return true;
  if (auto trans = dyn_cast_or_null<TransOp>(def)) {
    Value src = trans.getSrc();
    bool staged = isa_and_nonnull<ConvertLayoutOp>(src.getDefiningOp()) ||
                  isa<BlockArgument>(src);
    return staged &&
           isa<SharedEncodingAttr>(
               cast<RankedTensorType>(src.getType()).getEncoding()) &&
           llvm::all_of(v.getUsers(), llvm::IsaPred<DotOp>);
  }
  return isa_and_nonnull<ConvertLayoutOp>(def) &&
         llvm::all_of(v.getUsers(), [](Operation *user) {
           return isa<DotOp, scf::ForOp, scf::YieldOp>(user) ||
                  (isa<TransOp>(user) && isStagedForDot(user->getResult(0)));
         });
}

/// Every block has a distributed layout for the kernel's threads, but the
/// #kdsl.shared operands of dot that convert_layout (and a transposed view
/// of its result) make.
LogicalResult KernelEmitter::checkLayouts() {
  WalkResult walk = kernel.walk([&](Operation *op) {
    for (Value v : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (!type)
        continue;
      Attribute encoding = type.getEncoding();
      if (isStagedForDot(v))
        continue;
      if (!DistributedLayout::isDistributed(encoding)) {
        op->emitOpError() << "has a block without a distributed layout "
                             "encoding (run -kdsl-assign-layouts first): "
                          << type;
        return WalkResult::interrupt();
      }
      if (layoutOf(type).threads() != threads) {
        op->emitOpError() << "has a layout for " << layoutOf(type).threads()
                          << " threads in a kernel of " << threads;
        return WalkResult::interrupt();
      }
      // Each slot is a register (or several): past the limit, per-thread
      // code takes seconds to compile and spills.
      if (int64_t slots = layoutOf(type).slots();
          slots > kMaxElementsPerThread) {
        op->emitError() << "block " << formatType(type) << " gives each of "
                        << threads << " threads " << slots
                        << " elements; a thread may hold at most "
                        << kMaxElementsPerThread
                        << " of a block (use more warps or a smaller block)";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult KernelEmitter::run(gpu::GPUFuncOp func) {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  Location loc = kernel.getLoc();
  tid = NVVM::ThreadIdXOp::create(b, loc, b.getI32Type());
  prologueEnd = i32(loc, 0).getDefiningOp();
  if (failed(checkLayouts()) || failed(planRings()))
    return failure();
  // The scalar-reduction scratch comes first when there is any.
  bool scalarReduces = false;
  kernel.walk([&](ReduceOp r) {
    scalarReduces |= !isa<RankedTensorType>(r.getResult().getType());
  });
  if (scalarReduces && threads > 32)
    exchangeBase = 2 * (threads / 32) * kScratchBytesPerWarp;
  nextSharedOffset = exchangeBase;
  for (auto [from, to] : llvm::zip(kernel.getArguments(), entry.getArguments()))
    scalars.map(from, to);
  if (failed(emitRegion(kernel.getBody().front())))
    return failure();
  gpu::ReturnOp::create(b, loc);
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

struct ConvertKdslToGPUPass
    : public kdsl::impl::ConvertKdslToGPUBase<ConvertKdslToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getContext());
    for (KernelOp kernel : llvm::to_vector(module.getOps<KernelOp>())) {
      if (!kernel.isVariant()) {
        kernel.emitError() << "kernel '" << kernel.getSymName()
                           << "' is not a variant; run -kdsl-specialize first";
        return signalPassFailure();
      }
      builder.setInsertionPoint(kernel);
      Location loc = kernel.getLoc();
      auto gpuModule = gpu::GPUModuleOp::create(
          builder, loc, (kernel.getSymName() + "_module").str());
      builder.setInsertionPointToStart(gpuModule.getBody());
      auto smem = LLVM::GlobalOp::create(
          builder, loc, LLVM::LLVMArrayType::get(builder.getI8Type(), 0),
          /*isConstant=*/false, LLVM::Linkage::External, "kdsl_shared",
          Attribute(), /*alignment=*/16, /*addrSpace=*/3);
      SmallVector<Type> argTypes;
      for (Type t : kernel.getArgumentTypes())
        argTypes.push_back(
            isa<PtrType>(t) ? LLVM::LLVMPointerType::get(&getContext(), 1) : t);
      auto func = gpu::GPUFuncOp::create(builder, loc, kernel.getSymName(),
                                         builder.getFunctionType(argTypes, {}));
      func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                    builder.getUnitAttr());
      int32_t threads = *kernel.getNumWarps() * 32;
      func.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr({threads, 1, 1}));
      // With .maxntid alone (from the known block size) ptxas aims at an
      // occupancy of its own and may hold a kernel to 64 registers and
      // spill (matmul's tensor-core tiles did); one block per SM at least
      // leaves it the registers the block can have.
      func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                    builder.getI32IntegerAttr(1));
      SmallVector<std::string> divisibleParams(divisible.begin(),
                                               divisible.end());
      SmallVector<std::string> oneParams(equalToOne.begin(), equalToOne.end());
      KernelEmitter emitter(kernel, func, smem, assumeAligned, divisibleParams,
                            oneParams, remarks);
      if (failed(emitter.run(func)))
        return signalPassFailure();
      if (emitter.sharedBytes() > maxSharedBytes) {
        InFlightDiagnostic diag = kernel.emitError()
                                  << "kernel '" << kernel.getSymName()
                                  << "' needs " << emitter.sharedBytes()
                                  << " bytes of shared memory; the target "
                                     "allows "
                                  << maxSharedBytes.getValue()
                                  << " per thread block";
        if (int64_t ringBytes = emitter.ringBytes())
          diag << " (" << ringBytes
               << " of them hold dot operands in flight, num_stages buffers "
                  "each: fewer stages or smaller tiles need less)";
        return signalPassFailure();
      }
      func->setAttr("kdsl.shared_bytes",
                    builder.getI64IntegerAttr(emitter.sharedBytes()));
      func->setAttr("kdsl.num_warps",
                    builder.getI32IntegerAttr(*kernel.getNumWarps()));
      if (emitter.sharedBytes() == 0)
        smem.erase();
      kernel.erase();
    }
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    builder.getUnitAttr());
  }
};

} // namespace
