//===- MLIRGen.cpp - Checked AST to the kdsl dialect ----------------------===//
//
// One generator in the style of Toy's MLIRGen: values are tracked per
// resolved variable, `mut` variables assigned in a loop or branch are carried
// through scf.for / scf.if, fn calls are inlined, and block dimensions that
// depend on constexprs become dynamic dimensions whose sizes are computed
// once at the top of the kernel.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Frontend/MLIRGen.h"
#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace kdsl;
using ast::Expr;
using ast::ScalarKind;
using ast::Stmt;

namespace {

class MLIRGen {
public:
  MLIRGen(MLIRContext &context, const ast::Module &module)
      : context(context), builder(&context), module(module) {}

  OwningOpRef<ModuleOp> run() {
    OwningOpRef<ModuleOp> result = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(result->getBody());
    for (const auto &kernel : module.kernels)
      emitKernel(*kernel);
    if (failed(verify(*result))) {
      if (getenv("KDSL_DEBUG_MLIRGEN"))
        result->print(llvm::errs(), OpPrintingFlags().printGenericOpForm());
      return nullptr;
    }
    return result;
  }

private:
  MLIRContext &context;
  OpBuilder builder;
  const ast::Module &module;

  /// The current SSA value of each variable.
  llvm::DenseMap<const ast::Var *, Value> values;
  /// Constexpr parameters by name, and dimension sizes already computed.
  llvm::StringMap<Value> constexprArgs;
  std::map<std::string, Value> dimValues;
  /// Dimension sizes are inserted before this op at the top of the kernel.
  Operation *dimAnchor = nullptr;
  /// The `still running` flag of a kernel with a nested `return;`.
  std::unique_ptr<ast::Var> liveVar;
  bool inFn = false;

  /// Locations of the fn calls being inlined, innermost last.
  SmallVector<Location> callSites;

  /// The location of `l`; inside an inlined fn, a CallSiteLoc whose caller is
  /// the call, so diagnostics say where the fn was called from.
  Location loc(ast::Loc l) {
    Location fileLoc =
        FileLineColLoc::get(&context, module.fileName, l.line, l.col);
    if (callSites.empty())
      return fileLoc;
    return CallSiteLoc::get(fileLoc, callSites.back());
  }

  //===--------------------------------------------------------------------===//
  // Types
  //===--------------------------------------------------------------------===//

  Type scalarType(ScalarKind kind) {
    switch (kind) {
    case ScalarKind::Bool:
      return builder.getI1Type();
    case ScalarKind::I8:
      return builder.getI8Type();
    case ScalarKind::I16:
      return builder.getI16Type();
    case ScalarKind::I32:
      return builder.getI32Type();
    case ScalarKind::I64:
      return builder.getI64Type();
    case ScalarKind::F16:
      return builder.getF16Type();
    case ScalarKind::BF16:
      return builder.getBF16Type();
    case ScalarKind::F32:
      return builder.getF32Type();
    case ScalarKind::F64:
      return builder.getF64Type();
    }
    llvm_unreachable("unknown scalar kind");
  }

  Type elemType(const ast::Type &t) {
    Type elem = scalarType(t.elem);
    return t.isPtr ? PtrType::get(&context, elem) : elem;
  }

  Type mlirType(const ast::Type &t) {
    if (t.dims.empty())
      return elemType(t);
    SmallVector<int64_t> shape;
    for (const ast::Dim &d : t.dims)
      shape.push_back(d->isConstant() ? d->getConstant()
                                      : ShapedType::kDynamic);
    return RankedTensorType::get(shape, elemType(t));
  }

  //===--------------------------------------------------------------------===//
  // Constexpr dimensions
  //===--------------------------------------------------------------------===//

  Value constI32(OpBuilder &b, Location l, int64_t v) {
    return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(v));
  }

  /// Emits `x` (an i32 launch-time expression) at the top of the kernel.
  Value materialize(const ConstExpr &x) {
    std::string key = x.print();
    auto it = dimValues.find(key);
    if (it != dimValues.end())
      return it->second;
    OpBuilder b(dimAnchor);
    Location l = dimAnchor->getLoc();
    Value result;
    switch (x.getKind()) {
    case ConstExpr::Kind::Int:
      result = constI32(b, l, x.getConstant());
      break;
    case ConstExpr::Kind::Param: {
      result = constexprArgs.lookup(x.getName());
      if (result && !result.getType().isInteger(32))
        result = result.getType().isInteger(1)
                     ? arith::ExtUIOp::create(b, l, b.getI32Type(), result)
                           .getResult()
                     : castInt(b, l, result, b.getI32Type());
      break;
    }
    case ConstExpr::Kind::Unary: {
      Value v = materialize(*x.getOperand());
      switch (x.getUnaryOp()) {
      case ConstExpr::UnaryOp::Neg:
        result = arith::SubIOp::create(b, l, constI32(b, l, 0), v);
        break;
      case ConstExpr::UnaryOp::Not:
        result = boolToI32(b, l,
                           arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                 v, constI32(b, l, 0)));
        break;
      case ConstExpr::UnaryOp::BitNot:
        result = arith::XOrIOp::create(b, l, v, constI32(b, l, -1));
        break;
      }
      break;
    }
    case ConstExpr::Kind::Binary:
      result =
          materializeBinary(b, l, x.getBinaryOp(), materialize(*x.getLHS()),
                            materialize(*x.getRHS()));
      break;
    case ConstExpr::Kind::Call: {
      SmallVector<Value> args;
      for (const ConstExprRef &arg : x.getArgs())
        args.push_back(materialize(*arg));
      const std::string &callee = x.getName();
      if (callee == "cdiv")
        result = arith::CeilDivSIOp::create(b, l, args[0], args[1]);
      else if (callee == "min")
        result = arith::MinSIOp::create(b, l, args[0], args[1]);
      else if (callee == "max")
        result = arith::MaxSIOp::create(b, l, args[0], args[1]);
      else
        result = nextPow2(b, l, args[0]);
      break;
    }
    }
    dimValues[key] = result;
    return result;
  }

  Value boolToI32(OpBuilder &b, Location l, Value flag) {
    return arith::ExtUIOp::create(b, l, b.getI32Type(), flag);
  }

  Value castInt(OpBuilder &b, Location l, Value v, Type to) {
    unsigned from = getElementTypeOrSelf(v.getType()).getIntOrFloatBitWidth();
    unsigned width = getElementTypeOrSelf(to).getIntOrFloatBitWidth();
    if (from == width)
      return v;
    if (from < width)
      return arith::ExtSIOp::create(b, l, to, v);
    return arith::TruncIOp::create(b, l, to, v);
  }

  Value materializeBinary(OpBuilder &b, Location l, ConstExpr::BinaryOp op,
                          Value x, Value y) {
    using B = ConstExpr::BinaryOp;
    auto cmp = [&](arith::CmpIPredicate p) {
      return boolToI32(b, l, arith::CmpIOp::create(b, l, p, x, y));
    };
    auto truth = [&](Value v) {
      return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v,
                                   constI32(b, l, 0));
    };
    switch (op) {
    case B::Add:
      return arith::AddIOp::create(b, l, x, y);
    case B::Sub:
      return arith::SubIOp::create(b, l, x, y);
    case B::Mul:
      return arith::MulIOp::create(b, l, x, y);
    case B::Div:
      return arith::DivSIOp::create(b, l, x, y);
    case B::Rem:
      return arith::RemSIOp::create(b, l, x, y);
    case B::Shl:
      return arith::ShLIOp::create(b, l, x, y);
    case B::Shr:
      return arith::ShRSIOp::create(b, l, x, y);
    case B::And:
      return arith::AndIOp::create(b, l, x, y);
    case B::Or:
      return arith::OrIOp::create(b, l, x, y);
    case B::Xor:
      return arith::XOrIOp::create(b, l, x, y);
    case B::LogicalAnd:
      return boolToI32(b, l, arith::AndIOp::create(b, l, truth(x), truth(y)));
    case B::LogicalOr:
      return boolToI32(b, l, arith::OrIOp::create(b, l, truth(x), truth(y)));
    case B::Eq:
      return cmp(arith::CmpIPredicate::eq);
    case B::Ne:
      return cmp(arith::CmpIPredicate::ne);
    case B::Lt:
      return cmp(arith::CmpIPredicate::slt);
    case B::Le:
      return cmp(arith::CmpIPredicate::sle);
    case B::Gt:
      return cmp(arith::CmpIPredicate::sgt);
    case B::Ge:
      return cmp(arith::CmpIPredicate::sge);
    }
    llvm_unreachable("unknown binary op");
  }

  /// Smallest power of two >= x (1 for x <= 1), for scalar integers.
  Value nextPow2(OpBuilder &b, Location l, Value x) {
    Type type = x.getType();
    unsigned width = type.getIntOrFloatBitWidth();
    auto c = [&](int64_t v) {
      return arith::ConstantOp::create(b, l, b.getIntegerAttr(type, v));
    };
    Value lz = math::CountLeadingZerosOp::create(
        b, l, arith::SubIOp::create(b, l, x, c(1)));
    Value shifted = arith::ShLIOp::create(
        b, l, c(1), arith::SubIOp::create(b, l, c(width), lz));
    Value small =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, x, c(1));
    return arith::SelectOp::create(b, l, small, c(1), shifted);
  }

  SmallVector<Value> dynamicSizes(const std::vector<ast::Dim> &dims) {
    SmallVector<Value> sizes;
    for (const ast::Dim &d : dims)
      if (!d->isConstant())
        sizes.push_back(materialize(*d));
    return sizes;
  }

  //===--------------------------------------------------------------------===//
  // Broadcasting and conversions
  //===--------------------------------------------------------------------===//

  /// Gives `v` (of AST type `from`) the shape of `to` (NumPy broadcasting),
  /// keeping its element type.
  Value broadcastTo(Value v, const ast::Type &from,
                    const std::vector<ast::Dim> &to, Location l) {
    if (to.empty())
      return v;
    ast::Type target = from.withDims(to);
    Type targetType = mlirType(target);
    if (from.dims.empty())
      return SplatOp::create(builder, l, targetType, v, dynamicSizes(to));
    std::vector<ast::Dim> dims = from.dims;
    while (dims.size() < to.size()) {
      dims.insert(dims.begin(), ConstExpr::intLit(1));
      v = ExpandDimsOp::create(builder, l, mlirType(from.withDims(dims)), v,
                               builder.getI32IntegerAttr(0));
    }
    bool same = true;
    for (size_t i = 0; i < dims.size(); ++i)
      same &= dims[i]->print() == to[i]->print();
    if (!same)
      v = BroadcastOp::create(builder, l, targetType, v, dynamicSizes(to));
    return coerce(v, targetType, l);
  }

  /// Bridges a static and a dynamic spelling of one shape.
  Value coerce(Value v, Type type, Location l) {
    if (v.getType() == type)
      return v;
    return tensor::CastOp::create(builder, l, type, v);
  }

  /// A constant of type `t` (splatted to its shape). Integer literals keep
  /// their exact value; they become floats only when `t` is a float type.
  Value constant(const ast::Type &t, double value, Location l) {
    Type elem = scalarType(t.elem);
    if (!isa<FloatType>(elem))
      return constant(t, static_cast<int64_t>(value), l);
    return splatConstant(t, builder.getFloatAttr(elem, value), l);
  }
  Value constant(const ast::Type &t, int64_t value, Location l) {
    Type elem = scalarType(t.elem);
    if (isa<FloatType>(elem))
      return splatConstant(
          t, builder.getFloatAttr(elem, static_cast<double>(value)), l);
    return splatConstant(t, builder.getIntegerAttr(elem, value), l);
  }
  Value splatConstant(const ast::Type &t, TypedAttr attr, Location l) {
    Value scalar = arith::ConstantOp::create(builder, l, attr);
    return broadcastTo(scalar, ast::Type::scalar(t.elem), t.dims, l);
  }

  /// `e as T`.
  Value convert(Value v, ScalarKind from, ScalarKind to, Type resultType,
                Location l) {
    if (from == to)
      return v;
    bool fromFloat = ast::isFloat(from), toFloat = ast::isFloat(to);
    bool fromBool = from == ScalarKind::Bool;
    if (to == ScalarKind::Bool) {
      Value zero = constantLike(v, 0.0, l);
      if (fromFloat)
        return arith::CmpFOp::create(builder, l, arith::CmpFPredicate::UNE, v,
                                     zero);
      return arith::CmpIOp::create(builder, l, arith::CmpIPredicate::ne, v,
                                   zero);
    }
    if (fromFloat && toFloat) {
      // bf16 <-> f16 have no direct conversion: go through f32.
      if (ast::bitWidth(from) == ast::bitWidth(to)) {
        Type f32 = withElement(resultType, builder.getF32Type());
        v = arith::ExtFOp::create(builder, l, f32, v);
        return arith::TruncFOp::create(builder, l, resultType, v);
      }
      if (ast::bitWidth(from) < ast::bitWidth(to))
        return arith::ExtFOp::create(builder, l, resultType, v);
      return arith::TruncFOp::create(builder, l, resultType, v);
    }
    if (fromFloat)
      return arith::FPToSIOp::create(builder, l, resultType, v);
    if (toFloat)
      return fromBool ? arith::UIToFPOp::create(builder, l, resultType, v)
                            .getResult()
                      : arith::SIToFPOp::create(builder, l, resultType, v)
                            .getResult();
    if (fromBool)
      return arith::ExtUIOp::create(builder, l, resultType, v);
    return castInt(builder, l, v, resultType);
  }

  Type withElement(Type t, Type elem) {
    if (auto tensor = dyn_cast<RankedTensorType>(t))
      return tensor.clone(elem);
    return elem;
  }

  /// A constant of `like`'s type and shape.
  Value constantLike(Value like, double value, Location l) {
    Type elem = getElementTypeOrSelf(like.getType());
    TypedAttr attr = isa<FloatType>(elem)
                         ? TypedAttr(builder.getFloatAttr(elem, value))
                         : TypedAttr(builder.getIntegerAttr(
                               elem, static_cast<int64_t>(value)));
    Value scalar = arith::ConstantOp::create(builder, l, attr);
    auto tensor = dyn_cast<RankedTensorType>(like.getType());
    if (!tensor)
      return scalar;
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < tensor.getRank(); ++i)
      if (tensor.isDynamicDim(i))
        sizes.push_back(castInt(builder, l,
                                arith::IndexCastOp::create(
                                    builder, l, builder.getI32Type(),
                                    tensor::DimOp::create(builder, l, like, i)),
                                builder.getI32Type()));
    return SplatOp::create(builder, l, tensor, scalar, sizes);
  }

  //===--------------------------------------------------------------------===//
  // Kernels and statements
  //===--------------------------------------------------------------------===//

  static bool containsReturn(const Stmt &s) {
    if (s.kind == Stmt::Kind::Return)
      return true;
    for (const auto &list : {&s.body, &s.elseBody})
      for (const auto &inner : *list)
        if (containsReturn(*inner))
          return true;
    return false;
  }

  void emitKernel(const ast::KernelDecl &k) {
    values.clear();
    constexprArgs.clear();
    dimValues.clear();
    liveVar.reset();
    inFn = false;

    SmallVector<Type> argTypes;
    SmallVector<Attribute> names, argAttrs;
    for (const ast::Param &p : k.params) {
      argTypes.push_back(mlirType(p.var->type));
      names.push_back(builder.getStringAttr(p.name));
      SmallVector<NamedAttribute> attrs;
      if (p.isConstexpr)
        attrs.push_back(builder.getNamedAttr(KdslDialect::kConstexprAttrName,
                                             builder.getUnitAttr()));
      if (!p.defaultText.empty())
        attrs.push_back(
            builder.getNamedAttr(KdslDialect::kDefaultAttrName,
                                 builder.getStringAttr(p.defaultText)));
      argAttrs.push_back(builder.getDictionaryAttr(attrs));
    }
    auto kernel = KernelOp::create(
        builder, loc(k.loc), k.name, builder.getFunctionType(argTypes, {}),
        builder.getArrayAttr(argAttrs), /*res_attrs=*/nullptr,
        builder.getArrayAttr(names), /*grid=*/nullptr, /*autotune=*/nullptr,
        /*config=*/nullptr, /*bindings=*/nullptr, /*num_warps=*/nullptr,
        /*num_stages=*/nullptr);
    if (!k.gridText.empty())
      kernel.setGridAttr(builder.getStrArrayAttr(
          SmallVector<StringRef>(k.gridText.begin(), k.gridText.end())));
    if (k.hasAutotune) {
      SmallVector<Attribute> space, key;
      for (const auto &axis : k.tuneSpace)
        space.push_back(
            TuneParamAttr::get(&context, builder.getStringAttr(axis.name),
                               builder.getDenseI64ArrayAttr(axis.values)));
      for (const std::string &entry : k.tuneKey)
        key.push_back(builder.getStringAttr(entry));
      kernel.setAutotuneAttr(AutotuneAttr::get(
          &context, builder.getArrayAttr(space), builder.getArrayAttr(key),
          builder.getStringAttr(k.tuneWhere)));
    }
    if (k.hasConfig) {
      SmallVector<NamedAttribute> entries;
      for (const auto &[name, value] : k.fixedConfig)
        entries.push_back(
            builder.getNamedAttr(name, builder.getI32IntegerAttr(value)));
      kernel.setConfigAttr(builder.getDictionaryAttr(entries));
    }

    OpBuilder::InsertionGuard guard(builder);
    Block *entry = builder.createBlock(&kernel.getBody());
    for (auto [p, type] : llvm::zip(k.params, argTypes)) {
      BlockArgument arg = entry->addArgument(type, loc(p.loc));
      values[p.var.get()] = arg;
      if (p.isConstexpr)
        constexprArgs[p.name] = arg;
    }
    builder.setInsertionPointToStart(entry);
    dimAnchor = constI32(builder, loc(k.loc), 0).getDefiningOp();

    bool nestedReturn = false;
    for (const auto &s : k.body)
      nestedReturn |= s->kind != Stmt::Kind::Return && containsReturn(*s);
    if (nestedReturn) {
      liveVar = std::make_unique<ast::Var>();
      liveVar->name = "<live>";
      liveVar->isMut = true;
      liveVar->type = ast::Type::scalar(ScalarKind::Bool);
      values[liveVar.get()] = arith::ConstantOp::create(
          builder, loc(k.loc), builder.getBoolAttr(true));
    }
    emitStmts(k.body);
    ReturnOp::create(builder, loc(k.loc));
    if (dimAnchor->use_empty())
      dimAnchor->erase();
  }

  /// Emits `stmts`; after a statement that may `return;`, the rest runs
  /// under `if live`.
  void emitStmts(llvm::ArrayRef<ast::StmtPtr> stmts) {
    for (size_t i = 0; i < stmts.size(); ++i) {
      const Stmt &s = *stmts[i];
      if (s.kind == Stmt::Kind::Return && !inFn) {
        if (liveVar)
          values[liveVar.get()] = arith::ConstantOp::create(
              builder, loc(s.loc), builder.getBoolAttr(false));
        return;
      }
      emitStmt(s);
      if (!inFn && liveVar && containsReturn(s) && i + 1 < stmts.size()) {
        ArrayRef<ast::StmtPtr> rest = stmts.drop_front(i + 1);
        emitGuarded(values[liveVar.get()], rest, loc(stmts[i + 1]->loc));
        return;
      }
    }
  }

  /// Variables declared outside `stmts` that `stmts` assign.
  void collectAssigned(llvm::ArrayRef<ast::StmtPtr> stmts,
                       llvm::SetVector<const ast::Var *> &out) {
    for (const auto &s : stmts) {
      if (s->kind == Stmt::Kind::Assign && values.count(s->target))
        out.insert(s->target);
      if (s->kind == Stmt::Kind::Return && liveVar && !inFn)
        out.insert(liveVar.get());
      collectAssigned(s->body, out);
      collectAssigned(s->elseBody, out);
    }
  }

  /// Emits an scf.if over `cond` whose branches run `thenStmts` and
  /// `elseStmts`, carrying the variables they assign.
  void emitIf(Value cond, llvm::ArrayRef<ast::StmtPtr> thenStmts,
              llvm::ArrayRef<ast::StmtPtr> elseStmts, Location l) {
    llvm::SetVector<const ast::Var *> carried;
    collectAssigned(thenStmts, carried);
    collectAssigned(elseStmts, carried);
    SmallVector<Type> types;
    for (const ast::Var *var : carried)
      types.push_back(values[var].getType());
    auto ifOp = scf::IfOp::create(builder, l, types, cond, /*withElse=*/true);
    auto emitBranch = [&](Block *block, llvm::ArrayRef<ast::StmtPtr> stmts) {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(block);
      llvm::DenseMap<const ast::Var *, Value> saved;
      for (const ast::Var *var : carried)
        saved[var] = values[var];
      emitStmts(stmts);
      SmallVector<Value> yielded;
      for (const ast::Var *var : carried) {
        yielded.push_back(coerce(values[var], saved[var].getType(), l));
        values[var] = saved[var];
      }
      if (block->empty() || !block->back().hasTrait<OpTrait::IsTerminator>())
        scf::YieldOp::create(builder, l, yielded);
      else
        block->back().setOperands(yielded);
    };
    emitBranch(ifOp.thenBlock(), thenStmts);
    emitBranch(ifOp.elseBlock(), elseStmts);
    for (auto [var, result] : llvm::zip(carried, ifOp.getResults()))
      values[var] = result;
  }

  void emitGuarded(Value live, llvm::ArrayRef<ast::StmtPtr> rest, Location l) {
    emitIf(live, rest, {}, l);
  }

  void emitStmt(const Stmt &s) {
    Location l = loc(s.loc);
    switch (s.kind) {
    case Stmt::Kind::Let: {
      Value v = emitExpr(*s.value);
      if (v && s.decl->type.isValue()) {
        v = broadcastTo(v, s.value->type, s.decl->type.dims, l);
        v = coerce(v, mlirType(s.decl->type), l);
      }
      values[s.decl.get()] = v;
      return;
    }
    case Stmt::Kind::Assign: {
      const ast::Var *var = s.target;
      Value v = emitExpr(*s.value);
      ast::Type valueType = s.value->type;
      if (s.op != "=") {
        ast::Type result = var->type;
        result.dims = broadcastDimsOf(var->type, valueType);
        v = emitBinary(s.op.substr(0, 1), values[var], var->type, v, valueType,
                       result, l);
        valueType = result;
      }
      v = broadcastTo(v, valueType, var->type.dims, l);
      values[var] = coerce(v, mlirType(var->type), l);
      return;
    }
    case Stmt::Kind::Expr:
      emitExpr(*s.value);
      return;
    case Stmt::Kind::For: {
      Value start = emitExpr(*s.start), end = emitExpr(*s.end);
      Value step = s.step ? emitExpr(*s.step) : constI32(builder, l, 1);
      // A step known only at specialization is checked there.
      if (s.step && s.step->constValue && !s.step->constValue->isConstant()) {
        Location stepLoc = loc(s.step->loc);
        Value positive =
            arith::CmpIOp::create(builder, stepLoc, arith::CmpIPredicate::sgt,
                                  step, constI32(builder, stepLoc, 0));
        StaticAssertOp::create(builder, stepLoc, positive,
                               "range step must be positive");
      }
      llvm::SetVector<const ast::Var *> carried;
      collectAssigned(s.body, carried);
      SmallVector<Value> inits;
      for (const ast::Var *var : carried)
        inits.push_back(values[var]);
      auto forOp = scf::ForOp::create(builder, l, start, end, step, inits);
      {
        OpBuilder::InsertionGuard guard(builder);
        Block *body = forOp.getBody();
        builder.setInsertionPointToStart(body);
        values[s.decl.get()] = forOp.getInductionVar();
        for (auto [var, arg] : llvm::zip(carried, forOp.getRegionIterArgs()))
          values[var] = arg;
        emitStmts(s.body);
        SmallVector<Value> yielded;
        for (auto [var, init] : llvm::zip(carried, inits))
          yielded.push_back(coerce(values[var], init.getType(), l));
        if (!body->empty() && body->back().hasTrait<OpTrait::IsTerminator>())
          body->back().erase();
        builder.setInsertionPointToEnd(body);
        scf::YieldOp::create(builder, l, yielded);
      }
      for (auto [var, result] : llvm::zip(carried, forOp.getResults()))
        values[var] = result;
      return;
    }
    case Stmt::Kind::If:
      emitIf(emitExpr(*s.value), s.body, s.elseBody, l);
      return;
    case Stmt::Kind::Return:
      return; // handled by emitStmts and by fn inlining
    case Stmt::Kind::Block:
      emitStmts(s.body);
      return;
    }
  }

  std::vector<ast::Dim> broadcastDimsOf(const ast::Type &a,
                                        const ast::Type &b) {
    size_t rank = std::max(a.dims.size(), b.dims.size());
    std::vector<ast::Dim> out(rank);
    for (size_t i = 0; i < rank; ++i) {
      size_t ia = i + a.dims.size(), ib = i + b.dims.size();
      const ast::Dim *x = ia >= rank ? &a.dims[ia - rank] : nullptr;
      const ast::Dim *y = ib >= rank ? &b.dims[ib - rank] : nullptr;
      if (!x || (y && (*x)->isConstant() && (*x)->getConstant() == 1))
        out[i] = *y;
      else
        out[i] = *x;
    }
    return out;
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  Value emitExpr(const Expr &e) {
    Location l = loc(e.loc);
    switch (e.kind) {
    case Expr::Kind::IntLit:
      return constant(e.type, e.intValue, l);
    case Expr::Kind::FloatLit:
      return constant(e.type, e.floatValue, l);
    case Expr::Kind::BoolLit:
      return arith::ConstantOp::create(builder, l,
                                       builder.getBoolAttr(e.boolValue));
    case Expr::Kind::Name:
      return e.var ? values.lookup(e.var) : Value();
    case Expr::Kind::Index: {
      Value v = emitExpr(*e.operands[0]);
      const ast::Type &base = e.operands[0]->type;
      if (base.dims.empty()) // x[None] of a scalar: a block of one element
        return SplatOp::create(builder, l, mlirType(e.type), v, ValueRange());
      std::vector<ast::Dim> dims;
      size_t next = 0;
      for (size_t i = 0; i < e.indexIsNone.size(); ++i) {
        if (!e.indexIsNone[i]) {
          dims.push_back(base.dims[next++]);
          continue;
        }
        dims.push_back(ConstExpr::intLit(1));
        std::vector<ast::Dim> shape = dims;
        shape.insert(shape.end(), base.dims.begin() + next, base.dims.end());
        v = ExpandDimsOp::create(builder, l, mlirType(base.withDims(shape)), v,
                                 builder.getI32IntegerAttr(i));
      }
      return v;
    }
    case Expr::Kind::Cast: {
      const Expr &x = *e.operands[0];
      return convert(emitExpr(x), x.type.elem, e.type.elem, mlirType(e.type),
                     l);
    }
    case Expr::Kind::Unary: {
      const Expr &x = *e.operands[0];
      if (e.op == "-" && x.kind == Expr::Kind::IntLit)
        return constant(e.type, static_cast<int64_t>(0 - uint64_t(x.intValue)),
                        l);
      if (e.op == "-" && x.kind == Expr::Kind::FloatLit)
        return constant(e.type, -x.floatValue, l);
      Value v = emitExpr(x);
      if (e.op == "-") {
        if (ast::isFloat(e.type.elem))
          return arith::NegFOp::create(builder, l, v);
        return arith::SubIOp::create(builder, l, constantLike(v, 0, l), v);
      }
      return arith::XOrIOp::create(builder, l, v, constantLike(v, -1, l));
    }
    case Expr::Kind::Binary: {
      const Expr &a = *e.operands[0], &b = *e.operands[1];
      Value x = emitExpr(a), y = emitExpr(b);
      return emitBinary(e.op, x, a.type, y, b.type, e.type, l);
    }
    case Expr::Kind::Call:
      return emitCall(e);
    default:
      return Value();
    }
  }

  Value emitBinary(const std::string &op, Value x, const ast::Type &xt, Value y,
                   const ast::Type &yt, const ast::Type &result, Location l) {
    x = broadcastTo(x, xt, result.dims, l);
    y = broadcastTo(y, yt, result.dims, l);
    if (xt.isPtr) {
      if (op == "-")
        y = arith::SubIOp::create(builder, l, constantLike(y, 0, l), y);
      return AddPtrOp::create(builder, l, x.getType(), x, y);
    }
    bool isFloat = ast::isFloat(xt.elem);
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" ||
        op == ">=") {
      if (isFloat) {
        auto p = op == "=="   ? arith::CmpFPredicate::OEQ
                 : op == "!=" ? arith::CmpFPredicate::UNE
                 : op == "<"  ? arith::CmpFPredicate::OLT
                 : op == "<=" ? arith::CmpFPredicate::OLE
                 : op == ">"  ? arith::CmpFPredicate::OGT
                              : arith::CmpFPredicate::OGE;
        return arith::CmpFOp::create(builder, l, p, x, y);
      }
      // bool orders false < true: unsigned on i1 (signed, true is -1).
      bool isBool = xt.elem == ScalarKind::Bool;
      auto p =
          op == "=="   ? arith::CmpIPredicate::eq
          : op == "!=" ? arith::CmpIPredicate::ne
          : op == "<"
              ? (isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt)
          : op == "<="
              ? (isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle)
          : op == ">"
              ? (isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
              : (isBool ? arith::CmpIPredicate::uge
                        : arith::CmpIPredicate::sge);
      return arith::CmpIOp::create(builder, l, p, x, y);
    }
    if (isFloat) {
      if (op == "+")
        return arith::AddFOp::create(builder, l, x, y);
      if (op == "-")
        return arith::SubFOp::create(builder, l, x, y);
      if (op == "*")
        return arith::MulFOp::create(builder, l, x, y);
      if (op == "/")
        return arith::DivFOp::create(builder, l, x, y);
      return arith::RemFOp::create(builder, l, x, y);
    }
    if (op == "+")
      return arith::AddIOp::create(builder, l, x, y);
    if (op == "-")
      return arith::SubIOp::create(builder, l, x, y);
    if (op == "*")
      return arith::MulIOp::create(builder, l, x, y);
    if (op == "/")
      return arith::DivSIOp::create(builder, l, x, y);
    if (op == "%")
      return arith::RemSIOp::create(builder, l, x, y);
    if (op == "<<")
      return arith::ShLIOp::create(builder, l, x, y);
    if (op == ">>")
      return arith::ShRSIOp::create(builder, l, x, y);
    if (op == "&" || op == "&&")
      return arith::AndIOp::create(builder, l, x, y);
    if (op == "|" || op == "||")
      return arith::OrIOp::create(builder, l, x, y);
    return arith::XOrIOp::create(builder, l, x, y);
  }

  Value emitCall(const Expr &e) {
    Location l = loc(e.loc);
    if (e.inlined)
      return emitInlined(e);
    const std::string &name = e.name;
    const auto &args = e.operands;
    auto arg = [&](size_t i) { return emitExpr(*args[i]); };
    auto argTo = [&](size_t i, const std::vector<ast::Dim> &dims) {
      return broadcastTo(arg(i), args[i]->type, dims, l);
    };
    auto axisOf = [&](size_t i) {
      return builder.getI32IntegerAttr(
          static_cast<int32_t>(args[i]->constValue->getConstant()));
    };
    if (name == "program_id")
      return ProgramIdOp::create(builder, l, builder.getI32Type(), axisOf(0));
    if (name == "num_programs")
      return NumProgramsOp::create(builder, l, builder.getI32Type(), axisOf(0));
    if (name == "arange")
      return ArangeOp::create(builder, l, mlirType(e.type), arg(0), arg(1));
    if (name == "zeros")
      return constant(e.type, int64_t(0), l);
    if (name == "full")
      return argTo(1, e.type.dims);
    if (name == "load") {
      const ast::Type &ptrs = args[0]->type;
      Value p = arg(0);
      Value mask = args.size() > 1 ? argTo(1, ptrs.dims) : Value();
      Value other = args.size() > 2 ? argTo(2, ptrs.dims) : Value();
      return LoadOp::create(builder, l, mlirType(e.type), p, mask, other);
    }
    if (name == "store" || name == "atomic_add") {
      const ast::Type &ptrs = args[0]->type;
      Value p = arg(0);
      Value v = argTo(1, ptrs.dims);
      Value mask = args.size() > 2 ? argTo(2, ptrs.dims) : Value();
      if (name == "store") {
        StoreOp::create(builder, l, p, v, mask);
        return Value();
      }
      return AtomicAddOp::create(builder, l, v.getType(), p, v, mask);
    }
    if (name == "dot") {
      Value a = arg(0), b = arg(1);
      Value acc = args.size() > 2 ? argTo(2, e.type.dims)
                                  : constant(e.type, int64_t(0), l);
      return DotOp::create(builder, l, mlirType(e.type), a, b, acc);
    }
    if ((name == "max" || name == "min") && args[0]->type.isScalar())
      return emitMinMax(name == "max", e, l);
    if (name == "sum" || name == "max" || name == "min" || name == "argmax" ||
        name == "argmin") {
      ReduceKind kind = name == "sum"      ? ReduceKind::Sum
                        : name == "max"    ? ReduceKind::Max
                        : name == "min"    ? ReduceKind::Min
                        : name == "argmax" ? ReduceKind::Argmax
                                           : ReduceKind::Argmin;
      return ReduceOp::create(builder, l, mlirType(e.type),
                              ReduceKindAttr::get(&context, kind), arg(0),
                              axisOf(1));
    }
    if (name == "where") {
      Value c = argTo(0, e.type.dims), a = argTo(1, e.type.dims),
            b = argTo(2, e.type.dims);
      return arith::SelectOp::create(builder, l, c, a, b);
    }
    if (name == "maximum" || name == "minimum")
      return emitMinMax(name == "maximum", e, l);
    if (name == "cdiv")
      return arith::CeilDivSIOp::create(builder, l, arg(0), arg(1));
    if (name == "next_pow2")
      return nextPow2(builder, l, arg(0));
    if (name == "reshape")
      return ReshapeOp::create(builder, l, mlirType(e.type), arg(0),
                               dynamicSizes(e.type.dims));
    if (name == "broadcast_to")
      return argTo(0, e.type.dims);
    if (name == "trans")
      return TransOp::create(builder, l, mlirType(e.type), arg(0));
    if (name == "static_assert") {
      const ConstExprRef &cond = args[0]->constValue;
      if (!cond->isConstant()) {
        Value flag =
            arith::CmpIOp::create(builder, l, arith::CmpIPredicate::ne,
                                  materialize(*cond), constI32(builder, l, 0));
        StaticAssertOp::create(builder, l, flag, args[1]->name);
      }
      return Value();
    }
    return emitMath(e, arg(0), l);
  }

  Value emitMinMax(bool isMax, const Expr &e, Location l) {
    const auto &args = e.operands;
    Value a = broadcastTo(emitExpr(*args[0]), args[0]->type, e.type.dims, l);
    Value b = broadcastTo(emitExpr(*args[1]), args[1]->type, e.type.dims, l);
    if (ast::isFloat(e.type.elem))
      return isMax ? arith::MaximumFOp::create(builder, l, a, b).getResult()
                   : arith::MinimumFOp::create(builder, l, a, b).getResult();
    return isMax ? arith::MaxSIOp::create(builder, l, a, b).getResult()
                 : arith::MinSIOp::create(builder, l, a, b).getResult();
  }

  Value emitMath(const Expr &e, Value x, Location l) {
    const std::string &name = e.name;
    if (name == "exp")
      return math::ExpOp::create(builder, l, x);
    if (name == "exp2")
      return math::Exp2Op::create(builder, l, x);
    if (name == "log")
      return math::LogOp::create(builder, l, x);
    if (name == "log2")
      return math::Log2Op::create(builder, l, x);
    if (name == "sqrt")
      return math::SqrtOp::create(builder, l, x);
    if (name == "rsqrt")
      return math::RsqrtOp::create(builder, l, x);
    if (name == "sin")
      return math::SinOp::create(builder, l, x);
    if (name == "cos")
      return math::CosOp::create(builder, l, x);
    if (name == "tanh")
      return math::TanhOp::create(builder, l, x);
    if (name == "erf")
      return math::ErfOp::create(builder, l, x);
    if (name == "abs") {
      if (ast::isFloat(e.type.elem))
        return math::AbsFOp::create(builder, l, x);
      return math::AbsIOp::create(builder, l, x);
    }
    // sigmoid(x) = 1 / (1 + exp(-x))
    Value one = constantLike(x, 1.0, l);
    Value denom = arith::AddFOp::create(
        builder, l, one,
        math::ExpOp::create(builder, l, arith::NegFOp::create(builder, l, x)));
    return arith::DivFOp::create(builder, l, one, denom);
  }

  Value emitInlined(const Expr &e) {
    Location l = loc(e.loc);
    const Expr::Inlined &fn = *e.inlined;
    for (size_t i = 0; i < fn.params.size(); ++i) {
      const Expr &arg = *e.operands[i];
      Value v = emitExpr(arg);
      const ast::Var &param = *fn.params[i];
      v = broadcastTo(v, arg.type, param.type.dims, l);
      values[&param] = coerce(v, mlirType(param.type), l);
    }
    bool savedInFn = inFn;
    inFn = true;
    callSites.push_back(l);
    emitStmts(fn.body);
    Value result;
    if (!fn.body.empty() && fn.body.back()->kind == Stmt::Kind::Return &&
        fn.body.back()->value)
      result = emitExpr(*fn.body.back()->value);
    callSites.pop_back();
    inFn = savedInFn;
    return result;
  }
};

} // namespace

OwningOpRef<ModuleOp> kdsl::mlirGen(MLIRContext &context,
                                    const ast::Module &module) {
  context.loadDialect<KdslDialect, arith::ArithDialect, math::MathDialect,
                      scf::SCFDialect, tensor::TensorDialect>();
  return MLIRGen(context, module).run();
}
