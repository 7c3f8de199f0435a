//===- KdslAttrs.td - kdsl attributes ----------------------*- tablegen -*-===//

#ifndef KDSL_ATTRS_TD
#define KDSL_ATTRS_TD

include "kdsl/Dialect/Kdsl/IR/KdslDialect.td"
include "mlir/IR/AttrTypeBase.td"
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

#endif // KDSL_ATTRS_TD
