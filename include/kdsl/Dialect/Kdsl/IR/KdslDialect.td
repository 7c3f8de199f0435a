//===- KdslDialect.td - The kdsl dialect -------------------*- tablegen -*-===//

#ifndef KDSL_DIALECT_TD
#define KDSL_DIALECT_TD

include "mlir/IR/OpBase.td"

def Kdsl_Dialect : Dialect {
  let name = "kdsl";
  let summary = "Block-level SPMD kernels, before layouts are assigned";
  let description = [{
    The kdsl dialect holds kernels written in the `.kdsl` language. Values are
    scalars or ranked tensors ("blocks") of scalars and of `!kdsl.ptr<T>`;
    elementwise arithmetic uses the upstream `arith` and `math` dialects and
    control flow uses `scf`. A generic kernel may have dimensions that depend
    on compile-time parameters (constexprs); `-kdsl-specialize` binds them and
    produces a *variant* with static shapes, which every back end consumes.
  }];
  let cppNamespace = "::kdsl";
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect"];
  let extraClassDeclaration = [{
    /// Names of the discardable argument attributes of `kdsl.kernel`.
    static constexpr ::llvm::StringLiteral kConstexprAttrName = "kdsl.constexpr";
    static constexpr ::llvm::StringLiteral kDefaultAttrName = "kdsl.default";
  private:
    void registerAttributes();
    void registerTypes();
  public:
  }];
}

#endif // KDSL_DIALECT_TD
