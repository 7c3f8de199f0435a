//===- KdslTypes.td - kdsl types ---------------------------*- tablegen -*-===//

#ifndef KDSL_TYPES_TD
#define KDSL_TYPES_TD

include "kdsl/Dialect/Kdsl/IR/KdslDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

class Kdsl_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Kdsl_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Kdsl_PtrType : Kdsl_Type<"Ptr", "ptr"> {
  let summary = "Pointer to global memory holding elements of a scalar type";
  let description = [{
    `!kdsl.ptr<f32>` is the type of a `*f32` kernel parameter. Pointer
    arithmetic (`kdsl.addptr`) advances by whole elements.
  }];
  let parameters = (ins "::mlir::Type":$pointeeType);
  let assemblyFormat = "`<` $pointeeType `>`";
  let genVerifyDecl = 1;
}

def Kdsl_Float : AnyTypeOf<[F16, BF16, F32, F64], "floating-point">;
def Kdsl_Int : AnyTypeOf<[I1, I8, I16, I32, I64], "integer or bool">;
def Kdsl_ScalarElem : AnyTypeOf<[Kdsl_Float, Kdsl_Int, Kdsl_PtrType], "kdsl scalar">;
def Kdsl_Block : RankedTensorOf<[Kdsl_ScalarElem]>;
def Kdsl_Value : AnyTypeOf<[Kdsl_ScalarElem, Kdsl_Block], "kdsl scalar or block">;
def Kdsl_PtrLike : AnyTypeOf<[Kdsl_PtrType, RankedTensorOf<[Kdsl_PtrType]>],
                             "pointer or block of pointers">;
def Kdsl_IntLike : AnyTypeOf<[Kdsl_Int, RankedTensorOf<[Kdsl_Int]>],
                             "integer scalar or block">;
def Kdsl_BoolLike : AnyTypeOf<[I1, RankedTensorOf<[I1]>], "bool scalar or block">;

#endif // KDSL_TYPES_TD
