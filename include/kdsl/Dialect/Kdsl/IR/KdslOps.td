//===- KdslOps.td - kdsl operations ------------------------*- tablegen -*-===//

#ifndef KDSL_OPS_TD
#define KDSL_OPS_TD

include "kdsl/Dialect/Kdsl/IR/KdslDialect.td"
include "kdsl/Dialect/Kdsl/IR/KdslTypes.td"
include "kdsl/Dialect/Kdsl/IR/KdslAttrs.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

class Kdsl_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kdsl_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

def Kdsl_KernelOp : Kdsl_Op<"kernel", [
    FunctionOpInterface, IsolatedFromAbove, Symbol,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "A kdsl kernel: its signature, constexprs, grid and config space";
  let description = [{
    One kernel of a `.kdsl` file. Arguments are the kernel's parameters in
    source order, named by `param_names`. A constexpr parameter carries the
    unit argument attribute `kdsl.constexpr` and, when it has one, its default
    expression as `kdsl.default` (a string in kdsl syntax, evaluated by the
    launcher). `grid` holds the launch grid expressions, `autotune` the
    config space, `config` the fixed `@config`. A *variant* (the output of
    `-kdsl-specialize`) has no constexpr arguments left; `bindings` records
    the values they were given and `num_warps`/`num_stages` are set.

    ```mlir
    kdsl.kernel @copy(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>,
                      %BLOCK: i32 {kdsl.constexpr, kdsl.default = "128"})
        attributes {param_names = ["x", "y", "BLOCK"], grid = ["1"]} {
      kdsl.return
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs,
                       StrArrayAttr:$param_names,
                       OptionalAttr<StrArrayAttr>:$grid,
                       OptionalAttr<Kdsl_AutotuneAttr>:$autotune,
                       OptionalAttr<DictionaryAttr>:$config,
                       OptionalAttr<DictionaryAttr>:$bindings,
                       OptionalAttr<I32Attr>:$num_warps,
                       OptionalAttr<I32Attr>:$num_stages);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// FunctionOpInterface hooks.
    ::mlir::Region *getCallableRegion() { return &getBody(); }
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
    /// Whether parameter `i` is a constexpr.
    bool isConstexpr(unsigned i);
    /// The default expression of constexpr `i`, or null.
    ::mlir::StringAttr getDefaultExpr(unsigned i);
    /// Index of the parameter called `name`, if any.
    std::optional<unsigned> lookupParam(::llvm::StringRef name);
    /// Whether this kernel is a variant (no constexpr parameters left).
    bool isVariant() { return getBindings().has_value(); }
  }];
}

def Kdsl_ReturnOp : Kdsl_Op<"return", [Pure, HasParent<"KernelOp">, Terminator,
                                       ReturnLike]> {
  let summary = "Ends a kernel";
  let description = [{
    The terminator of a `kdsl.kernel` body. An early `return;` in the source
    does not become one: the front end guards the rest of the kernel with a
    flag instead, so the body stays structured.

    ```mlir
    kdsl.return
    ```
  }];
  let assemblyFormat = "attr-dict";
}

//===----------------------------------------------------------------------===//
// Program ids, ranges and shape changes
//===----------------------------------------------------------------------===//

class Kdsl_GridQueryOp<string mnemonic, string what> : Kdsl_Op<mnemonic, [Pure]> {
  let summary = "The " # what # " along one grid axis";
  let description = "`kdsl." # mnemonic # " 0` gives the " # what #
                    " along grid axis 0 (x); axes are 0, 1 and 2.";
  let arguments = (ins I32Attr:$axis);
  let results = (outs I32:$result);
  let assemblyFormat = "$axis attr-dict";
  let hasVerifier = 1;
}
def Kdsl_ProgramIdOp : Kdsl_GridQueryOp<"program_id", "program instance's index">;
def Kdsl_NumProgramsOp : Kdsl_GridQueryOp<"num_programs", "number of program instances">;

def Kdsl_ArangeOp : Kdsl_Op<"arange", [Pure]> {
  let summary = "The block [start, start + 1, ..., end - 1]";
  let description = [{
    `start` and `end` are constexprs. In a generic kernel they may still be
    symbolic and the result dimension dynamic; in a variant both are
    constants and `end - start` is a power of two equal to the result size.

    ```mlir
    %r = kdsl.arange %c0, %c128 : tensor<128xi32>
    ```
  }];
  let arguments = (ins I32:$start, I32:$end);
  let results = (outs 1DTensorOf<[I32]>:$result);
  let assemblyFormat = "$start `,` $end attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Kdsl_SplatOp : Kdsl_Op<"splat", [Pure]> {
  let summary = "A block with every element equal to a scalar";
  let description = [{
    One size operand per dynamic dimension of the result, in order.

    ```mlir
    %b = kdsl.splat %x : f32 -> tensor<64x32xf32>
    %d = kdsl.splat %x [%n] : f32 -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Kdsl_ScalarElem:$value, Variadic<I32>:$dynamicSizes);
  let results = (outs Kdsl_Block:$result);
  let assemblyFormat = [{
    $value (`[` $dynamicSizes^ `]`)? attr-dict `:` type($value) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kdsl_BroadcastOp : Kdsl_Op<"broadcast", [Pure]> {
  let summary = "Stretches size-1 dimensions of a block";
  let description = [{
    Source and result have the same rank and element type; each source
    dimension equals the result's or is 1. One size operand per dynamic
    result dimension.

    ```mlir
    %b = kdsl.broadcast %x : tensor<1x32xf32> -> tensor<64x32xf32>
    ```
  }];
  let arguments = (ins Kdsl_Block:$src, Variadic<I32>:$dynamicSizes);
  let results = (outs Kdsl_Block:$result);
  let assemblyFormat = [{
    $src (`[` $dynamicSizes^ `]`)? attr-dict `:` type($src) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kdsl_ExpandDimsOp : Kdsl_Op<"expand_dims", [Pure]> {
  let summary = "Inserts a size-1 dimension (`x[:, None]`)";
  let description = [{
    ```mlir
    %c = kdsl.expand_dims %x {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
    ```
  }];
  let arguments = (ins Kdsl_Block:$src, I32Attr:$axis);
  let results = (outs Kdsl_Block:$result);
  let assemblyFormat = "$src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

def Kdsl_ReshapeOp : Kdsl_Op<"reshape", [Pure]> {
  let summary = "Reinterprets a block in row-major order with a new shape";
  let description = [{
    ```mlir
    %r = kdsl.reshape %x : tensor<16x8xf32> -> tensor<128xf32>
    ```
  }];
  let arguments = (ins Kdsl_Block:$src, Variadic<I32>:$dynamicSizes);
  let results = (outs Kdsl_Block:$result);
  let assemblyFormat = [{
    $src (`[` $dynamicSizes^ `]`)? attr-dict `:` type($src) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kdsl_TransOp : Kdsl_Op<"trans", [Pure]> {
  let summary = "Transposes a rank-2 block";
  let description = [{
    ```mlir
    %t = kdsl.trans %x : tensor<64x32xf16> -> tensor<32x64xf16>
    ```
  }];
  let arguments = (ins 2DTensorOf<[Kdsl_ScalarElem]>:$src);
  let results = (outs 2DTensorOf<[Kdsl_ScalarElem]>:$result);
  let assemblyFormat = "$src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

def Kdsl_ConvertLayoutOp : Kdsl_Op<"convert_layout", [Pure]> {
  let summary = "Moves a block to another layout encoding";
  let description = [{
    Inserted by `-kdsl-assign-layouts` where an op needs its operand in a
    layout other than the one it was made in; same shape and element type,
    another encoding. Lowering moves nothing when every thread already holds
    what it needs, recomputes index-only values, and otherwise makes one
    round trip through shared memory.

    ```mlir
    %s = kdsl.convert_layout %x : tensor<64x32xf16, #blocked> -> tensor<64x32xf16, #shared>
    ```
  }];
  let arguments = (ins RankedTensorOf<[Kdsl_ScalarElem, Kdsl_PtrType]>:$src);
  let results = (outs RankedTensorOf<[Kdsl_ScalarElem, Kdsl_PtrType]>:$result);
  let assemblyFormat = "$src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def Kdsl_AddPtrOp : Kdsl_Op<"addptr", [Pure, AllTypesMatch<["ptr", "result"]>]> {
  let summary = "Advances pointers by whole elements";
  let description = [{
    ```mlir
    %q = kdsl.addptr %p, %offs : tensor<128x!kdsl.ptr<f32>>, tensor<128xi32>
    ```
  }];
  let arguments = (ins Kdsl_PtrLike:$ptr, Kdsl_IntLike:$offset);
  let results = (outs Kdsl_PtrLike:$result);
  let assemblyFormat = "$ptr `,` $offset attr-dict `:` type($ptr) `,` type($offset)";
  let hasVerifier = 1;
}

def Kdsl_LoadOp : Kdsl_Op<"load", [AttrSizedOperandSegments,
                                   MemoryEffects<[MemRead]>]> {
  let summary = "Masked load from global memory";
  let description = [{
    Lanes where `mask` is false touch no memory and give `other` (zero when
    absent). `mask` and `other` have the shape of `ptr`; `other` needs `mask`.

    ```mlir
    %v = kdsl.load %p mask %m other %o : tensor<128x!kdsl.ptr<f32>>, tensor<128xi1>, tensor<128xf32> -> tensor<128xf32>
    ```
  }];
  let arguments = (ins Kdsl_PtrLike:$ptr, Optional<Kdsl_BoolLike>:$mask,
                       Optional<Kdsl_Value>:$other);
  let results = (outs Kdsl_Value:$result);
  let assemblyFormat = [{
    $ptr (`mask` $mask^)? (`other` $other^)? attr-dict `:` type($ptr)
    (`,` type($mask)^)? (`,` type($other)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kdsl_StoreOp : Kdsl_Op<"store", [MemoryEffects<[MemWrite]>]> {
  let summary = "Masked store to global memory";
  let description = [{
    ```mlir
    kdsl.store %p, %v mask %m : tensor<128x!kdsl.ptr<f32>>, tensor<128xf32>, tensor<128xi1>
    ```
  }];
  let arguments = (ins Kdsl_PtrLike:$ptr, Kdsl_Value:$value,
                       Optional<Kdsl_BoolLike>:$mask);
  let assemblyFormat = [{
    $ptr `,` $value (`mask` $mask^)? attr-dict `:` type($ptr) `,` type($value)
    (`,` type($mask)^)?
  }];
  let hasVerifier = 1;
}

def Kdsl_AtomicAddOp : Kdsl_Op<"atomic_add", [MemoryEffects<[MemRead, MemWrite]>,
                                             AllTypesMatch<["value", "result"]>]> {
  let summary = "Atomic add (relaxed, device scope); gives the old values";
  let description = [{
    ```mlir
    %old = kdsl.atomic_add %p, %v mask %m : tensor<64x!kdsl.ptr<i32>>, tensor<64xi32>, tensor<64xi1>
    ```
  }];
  let arguments = (ins Kdsl_PtrLike:$ptr, Kdsl_Value:$value,
                       Optional<Kdsl_BoolLike>:$mask);
  let results = (outs Kdsl_Value:$result);
  let assemblyFormat = [{
    $ptr `,` $value (`mask` $mask^)? attr-dict `:` type($ptr) `,` type($value)
    (`,` type($mask)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Compute
//===----------------------------------------------------------------------===//

def Kdsl_DotOp : Kdsl_Op<"dot", [Pure, AllTypesMatch<["acc", "result"]>]> {
  let summary = "Block matrix product with f32 accumulation";
  let description = [{
    `result = a * b + acc` for `a: T[M, K]`, `b: T[K, N]`, `acc: f32[M, N]`,
    with `T` one of f16, bf16, f32 and M, N, K at least 16.

    ```mlir
    %d = kdsl.dot %a, %b, %acc : tensor<64x32xf16>, tensor<32x64xf16> -> tensor<64x64xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F16, BF16, F32]>:$a, 2DTensorOf<[F16, BF16, F32]>:$b,
                       2DTensorOf<[F32]>:$acc);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $a `,` $b `,` $acc attr-dict `:` type($a) `,` type($b) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kdsl_ReduceOp : Kdsl_Op<"reduce", [Pure]> {
  let summary = "Reduces one axis of a block (sum, max, min, argmax, argmin)";
  let description = [{
    The result drops `axis`; reducing a rank-1 block gives a scalar. `argmax`
    and `argmin` give the i32 index of the first extreme element.

    ```mlir
    %s = kdsl.reduce sum %x {axis = 0 : i32} : tensor<128xf32> -> f32
    %i = kdsl.reduce argmax %y {axis = 1 : i32} : tensor<4x128xf32> -> tensor<4xi32>
    ```
  }];
  let arguments = (ins Kdsl_ReduceKind:$kind, Kdsl_Block:$src, I32Attr:$axis);
  let results = (outs Kdsl_Value:$result);
  let assemblyFormat = "$kind $src attr-dict `:` type($src) `->` type($result)";
  let hasVerifier = 1;
}

def Kdsl_StaticAssertOp : Kdsl_Op<"static_assert", []> {
  let summary = "A compile-time check on constexprs, decided at specialization";
  let description = [{
    `-kdsl-specialize` folds the condition; a false one is an error carrying
    `message` at this op's location.

    ```mlir
    kdsl.static_assert %c, "BLOCK must be at least 32"
    ```
  }];
  let arguments = (ins I1:$condition, StrAttr:$message);
  let assemblyFormat = "$condition `,` $message attr-dict";
}

#endif // KDSL_OPS_TD
