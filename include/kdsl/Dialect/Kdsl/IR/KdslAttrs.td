//===- KdslAttrs.td - kdsl attributes ----------------------*- tablegen -*-===//

#ifndef KDSL_ATTRS_TD
#define KDSL_ATTRS_TD

include "kdsl/Dialect/Kdsl/IR/KdslDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/TensorEncoding.td"
include "mlir/IR/EnumAttr.td"

// Printed as a bare keyword (`sum`), as arith.cmpi prints its predicate.
def Kdsl_ReduceKind : I32EnumAttr<"ReduceKind", "kind of a block reduction", [
  I32EnumAttrCase<"Sum", 0, "sum">, I32EnumAttrCase<"Max", 1, "max">,
  I32EnumAttrCase<"Min", 2, "min">, I32EnumAttrCase<"Argmax", 3, "argmax">,
  I32EnumAttrCase<"Argmin", 4, "argmin">]> {
  let cppNamespace = "::kdsl";
}

class Kdsl_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Kdsl_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Kdsl_TuneParamAttr : Kdsl_Attr<"TuneParam", "tune_param"> {
  let summary = "One axis of an @autotune space: a parameter and its values";
  let parameters = (ins "::mlir::StringAttr":$name,
                        "::mlir::DenseI64ArrayAttr":$values);
  let assemblyFormat = "`<` $name `=` $values `>`";
}

def Kdsl_AutotuneAttr : Kdsl_Attr<"Autotune", "autotune"> {
  let summary = "The @autotune config space of a kernel";
  let description = [{
    `space` lists the tuned parameters in source order (the cartesian product
    is enumerated with the last parameter varying fastest); `key` names the
    scalar parameters whose launch values select a tuned config, written
    `exact(n)` when not bucketed to a power of two; `where` is the filter as a
    constexpr expression, empty when absent.
  }];
  let parameters = (ins "::mlir::ArrayAttr":$space, "::mlir::ArrayAttr":$key,
                        "::mlir::StringAttr":$where);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Layout encodings (set on block types by -kdsl-assign-layouts, for lowering)
//===----------------------------------------------------------------------===//

def Kdsl_BlockedEncodingAttr : Kdsl_Attr<"BlockedEncoding", "blocked",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "Distributes a block over the threads of a CUDA block in tiles";
  let description = [{
    Triton's blocked layout. Each thread holds `sizePerThread[d]` contiguous
    elements along dimension `d`; a warp's 32 lanes are laid out as
    `threadsPerWarp` and the block's warps as `warpsPerCTA`, each numbered
    along `order` (fastest-varying dimension first). The CTA tile,
    `sizePerThread * threadsPerWarp * warpsPerCTA` per dimension, repeats
    over a larger block; a smaller block wraps around, so several threads
    hold copies of an element (the first copy is its owner).

    ```mlir
    #kdsl.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16],
                  warpsPerCTA = [4, 1], order = [1, 0]>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$sizePerThread,
                        ArrayRefParameter<"int64_t">:$threadsPerWarp,
                        ArrayRefParameter<"int64_t">:$warpsPerCTA,
                        ArrayRefParameter<"int64_t">:$order);
  let assemblyFormat = [{
    `<` `sizePerThread` `=` `[` $sizePerThread `]` `,`
        `threadsPerWarp` `=` `[` $threadsPerWarp `]` `,`
        `warpsPerCTA` `=` `[` $warpsPerCTA `]` `,` `order` `=` `[` $order `]` `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    unsigned getRank() const { return getOrder().size(); }
    /// Threads of the CUDA block (32 times the warps).
    int64_t getNumThreads() const;
  }];
}

def Kdsl_SliceEncodingAttr : Kdsl_Attr<"SliceEncoding", "slice",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "The layout of a reduction's result: a blocked layout less one dimension";
  let description = [{
    Element `i` of a block with this layout is held by the threads that hold
    the elements of the `parent` layout whose coordinates are `i` with any
    index inserted at `dim`; so `expand_dims` at `dim` gives back the parent
    layout with no data movement.

    ```mlir
    #kdsl.slice<dim = 1, parent = #kdsl.blocked<...>>
    ```
  }];
  let parameters = (ins "unsigned":$dim, "BlockedEncodingAttr":$parent);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Kdsl_SharedEncodingAttr : Kdsl_Attr<"SharedEncoding", "shared",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "A block staged in shared memory, dense, in the given order";
  let description = [{
    The operands of `dot` are converted to this encoding: every element
    written once, in `order` (fastest-varying dimension first), so any
    thread can read any element.

    A 2-D block may also be swizzled, as Triton's swizzled shared layout:
    each row (along the fastest dimension) is split into `vec`-element
    chunks, and chunk `c` of row `r` is stored at chunk
    `c ^ ((r / perPhase) % maxPhase)` of that row, so that the 8 rows an
    `ldmatrix` reads at once fall in 8 different groups of banks. The
    default, `vec = 1, perPhase = 1, maxPhase = 1`, is unswizzled; a
    swizzled layout (maxPhase > 1) prints all three.

    ```mlir
    #kdsl.shared<order = [1, 0]>
    #kdsl.shared<order = [1, 0], vec = 8, perPhase = 2, maxPhase = 4>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$order,
                        DefaultValuedParameter<"int64_t", "1">:$vec,
                        DefaultValuedParameter<"int64_t", "1">:$perPhase,
                        DefaultValuedParameter<"int64_t", "1">:$maxPhase);
  // <order = [1, 0]>, or with all three swizzle parameters when maxPhase > 1
  // (a generated format would elide a perPhase of 1 inside the group).
  let hasCustomAssemblyFormat = 1;
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$order), [{
      return $_get($_ctxt, order, 1, 1, 1);
    }]>
  ];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether chunks of rows trade places (maxPhase > 1).
    bool isSwizzled() const { return getMaxPhase() > 1; }
  }];
}

#endif // KDSL_ATTRS_TD
