//===- ASTBuilder.cpp - ANTLR parse tree to AST ---------------------------===//
//
// Walks a parse tree that parsed without syntax errors and builds the AST.
// The few errors left for this stage (literals that do not fit, bad escapes,
// a grid clause with another name, too deep a tree) stop the build at the
// first one.
//
//===----------------------------------------------------------------------===//

#include "ASTBuilder.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace kdsl;
using namespace kdsl::ast;
using kdsl_antlr::KdslParser;

//===----------------------------------------------------------------------===//
// SourceLocator
//===----------------------------------------------------------------------===//

detail::SourceLocator::SourceLocator(llvm::StringRef source,
                                     unsigned skippedPrefixBytes)
    : source(source), skippedPrefix(skippedPrefixBytes) {
  lineStarts.push_back(0);
  size_t codePoint = 0, extra = 0;
  for (size_t i = 0, e = source.size(); i < e; ++i) {
    unsigned char c = source[i];
    if (c == '\n')
      lineStarts.push_back(i + 1);
    if (i < skippedPrefix)
      continue;
    if ((c & 0xC0) == 0x80) {
      ++extra; // a continuation byte
      if (i + 1 == e ||
          (static_cast<unsigned char>(source[i + 1]) & 0xC0) != 0x80)
        multiByte.emplace_back(codePoint - 1, extra);
      continue;
    }
    ++codePoint;
  }
}

Loc detail::SourceLocator::loc(size_t line, size_t charPositionInLine) const {
  if (line == 0)
    line = 1;
  if (line > lineStarts.size())
    return {static_cast<unsigned>(line),
            static_cast<unsigned>(charPositionInLine + 1)};
  // Count code points by their lead bytes, stopping at the end of the line.
  size_t offset = lineStarts[line - 1];
  if (line == 1)
    offset = skippedPrefix;
  size_t remaining = charPositionInLine;
  while (offset < source.size() && source[offset] != '\n') {
    if ((static_cast<unsigned char>(source[offset]) & 0xC0) != 0x80) {
      if (remaining == 0)
        break;
      --remaining;
    }
    ++offset;
  }
  return locOfOffset(offset);
}

Loc detail::SourceLocator::loc(const antlr4::Token *token) const {
  if (!token)
    return {1, 1};
  size_t index = token->getStartIndex();
  if (index == INVALID_INDEX || index > source.size())
    return loc(token->getLine(), token->getCharPositionInLine());
  // Bytes before code point `index`: one each, plus the extra bytes of the
  // multi-byte characters before it.
  auto it = std::lower_bound(multiByte.begin(), multiByte.end(), index,
                             [](const std::pair<size_t, size_t> &entry,
                                size_t value) { return entry.first < value; });
  size_t extra = it == multiByte.begin() ? 0 : std::prev(it)->second;
  return locOfOffset(skippedPrefix + index + extra);
}

Loc detail::SourceLocator::locAfter(const antlr4::Token *token) const {
  Loc start = loc(token);
  if (!token || token->getType() == antlr4::Token::EOF)
    return start;
  start.col += token->getText().size();
  return start;
}

Loc detail::SourceLocator::locOfOffset(size_t offset) const {
  offset = std::min(offset, source.size());
  auto it = std::upper_bound(lineStarts.begin(), lineStarts.end(), offset);
  size_t line = it - lineStarts.begin();
  return {static_cast<unsigned>(line),
          static_cast<unsigned>(offset - lineStarts[line - 1] + 1)};
}

//===----------------------------------------------------------------------===//
// ASTBuilder
//===----------------------------------------------------------------------===//

namespace {

class ASTBuilder {
public:
  ASTBuilder(const detail::SourceLocator &locator, detail::SyntaxDiag &diag)
      : locator(locator), diag(diag) {}

  std::unique_ptr<Module> build(KdslParser::FileContext *file,
                                llvm::StringRef fileName);

private:
  bool failed() const { return hasError; }
  void error(Loc loc, std::string message) {
    if (hasError)
      return;
    hasError = true;
    diag.loc = loc;
    diag.message = std::move(message);
  }
  Loc loc(const antlr4::Token *token) const { return locator.loc(token); }
  Loc loc(antlr4::tree::TerminalNode *node) const {
    return locator.loc(node ? node->getSymbol() : nullptr);
  }
  Loc loc(antlr4::ParserRuleContext *ctx) const {
    return locator.loc(ctx ? ctx->getStart() : nullptr);
  }

  std::unique_ptr<KernelDecl> buildKernel(KdslParser::KernelDeclContext *ctx);
  std::unique_ptr<FnDecl> buildFn(KdslParser::FnDeclContext *ctx);
  bool buildAttribute(KdslParser::AttributeContext *ctx, Attribute &attr);
  bool buildParam(KdslParser::ParamContext *ctx, Param &param);
  std::optional<TypeRef> buildType(KdslParser::TypeExprContext *ctx,
                                   unsigned depth);
  bool buildBlock(KdslParser::BlockContext *ctx, std::vector<StmtPtr> &out,
                  unsigned depth);
  StmtPtr buildStmt(KdslParser::StmtContext *ctx, unsigned depth);
  StmtPtr buildIf(KdslParser::IfStmtContext *ctx, unsigned depth);
  ExprPtr buildExpr(KdslParser::ExprContext *ctx, unsigned depth);
  ExprPtr buildPrimary(KdslParser::PrimaryContext *ctx, unsigned depth);
  bool buildExprList(const std::vector<KdslParser::ExprContext *> &ctxs,
                     std::vector<ExprPtr> &out, unsigned depth);

  ExprPtr buildIntLit(antlr4::Token *token);
  ExprPtr buildFloatLit(antlr4::Token *token);
  ExprPtr buildStringLit(antlr4::Token *token);

  bool checkDepth(unsigned depth, antlr4::Token *at);

  const detail::SourceLocator &locator;
  detail::SyntaxDiag &diag;
  bool hasError = false;
};

} // namespace

/// The direct child token of `ctx` spelled `text`, e.g. the `[` of an index.
static antlr4::Token *findChildToken(antlr4::ParserRuleContext *ctx,
                                     llvm::StringRef text) {
  for (antlr4::tree::ParseTree *child : ctx->children)
    if (auto *terminal = dynamic_cast<antlr4::tree::TerminalNode *>(child))
      if (terminal->getSymbol() && terminal->getSymbol()->getText() == text)
        return terminal->getSymbol();
  return ctx->getStart();
}

static std::string textOf(antlr4::Token *token) {
  return token ? token->getText() : std::string();
}

static std::string textOf(antlr4::tree::TerminalNode *node) {
  return node ? textOf(node->getSymbol()) : std::string();
}

bool ASTBuilder::checkDepth(unsigned depth, antlr4::Token *at) {
  if (depth <= detail::kMaxASTDepth)
    return true;
  error(loc(at), "expression nested too deeply");
  return false;
}

std::unique_ptr<Module> ASTBuilder::build(KdslParser::FileContext *file,
                                          llvm::StringRef fileName) {
  auto module = std::make_unique<Module>();
  module->fileName = fileName.str();
  if (!file)
    return module;
  for (KdslParser::TopDeclContext *decl : file->topDecl()) {
    if (KdslParser::KernelDeclContext *kernel = decl->kernelDecl()) {
      if (auto built = buildKernel(kernel))
        module->kernels.push_back(std::move(built));
    } else if (KdslParser::FnDeclContext *fn = decl->fnDecl()) {
      if (auto built = buildFn(fn))
        module->fns.push_back(std::move(built));
    }
    if (failed())
      return nullptr;
  }
  return module;
}

std::unique_ptr<KernelDecl>
ASTBuilder::buildKernel(KdslParser::KernelDeclContext *ctx) {
  auto kernel = std::make_unique<KernelDecl>();
  kernel->loc = loc(ctx->KERNEL());
  kernel->name = textOf(ctx->name);
  for (KdslParser::AttributeContext *attrCtx : ctx->attribute()) {
    Attribute attr;
    if (!buildAttribute(attrCtx, attr))
      return nullptr;
    kernel->attributes.push_back(std::move(attr));
  }
  if (KdslParser::ParamListContext *params = ctx->paramList()) {
    for (KdslParser::ParamContext *paramCtx : params->param()) {
      Param param;
      if (!buildParam(paramCtx, param))
        return nullptr;
      kernel->params.push_back(std::move(param));
    }
  }
  if (KdslParser::GridClauseContext *grid = ctx->gridClause()) {
    kernel->gridLoc = loc(grid->kw);
    if (textOf(grid->kw) != "grid") {
      error(kernel->gridLoc,
            "expected 'grid(...)' or '{' after the parameter list");
      return nullptr;
    }
    if (!buildExprList(grid->expr(), kernel->grid, 1))
      return nullptr;
  }
  if (!buildBlock(ctx->block(), kernel->body, 0))
    return nullptr;
  return kernel;
}

std::unique_ptr<FnDecl> ASTBuilder::buildFn(KdslParser::FnDeclContext *ctx) {
  auto fn = std::make_unique<FnDecl>();
  fn->loc = loc(ctx->FN());
  fn->name = textOf(ctx->name);
  for (KdslParser::FnParamContext *paramCtx : ctx->fnParam()) {
    Param param;
    param.loc = loc(paramCtx->name);
    param.name = textOf(paramCtx->name);
    if (KdslParser::TypeExprContext *type = paramCtx->typeExpr()) {
      param.type = buildType(type, 1);
      if (failed())
        return nullptr;
    }
    fn->params.push_back(std::move(param));
  }
  if (KdslParser::TypeExprContext *type = ctx->typeExpr()) {
    fn->returnType = buildType(type, 1);
    if (failed())
      return nullptr;
  }
  if (!buildBlock(ctx->block(), fn->body, 0))
    return nullptr;
  return fn;
}

bool ASTBuilder::buildAttribute(KdslParser::AttributeContext *ctx,
                                Attribute &attr) {
  attr.loc = loc(ctx);
  attr.name = textOf(ctx->name);
  for (KdslParser::AttrArgContext *argCtx : ctx->attrArg()) {
    AttrArg arg;
    arg.loc = loc(argCtx->name);
    arg.name = textOf(argCtx->name);
    arg.value = buildExpr(argCtx->expr(), 1);
    if (failed())
      return false;
    attr.args.push_back(std::move(arg));
  }
  return true;
}

bool ASTBuilder::buildParam(KdslParser::ParamContext *ctx, Param &param) {
  param.loc = loc(ctx->name);
  param.name = textOf(ctx->name);
  param.isConstexpr = ctx->CONST() != nullptr;
  if (KdslParser::TypeExprContext *type = ctx->typeExpr())
    param.type = buildType(type, 1);
  if (failed())
    return false;
  if (KdslParser::ExprContext *value = ctx->expr())
    param.defaultValue = buildExpr(value, 1);
  return !failed();
}

std::optional<TypeRef> ASTBuilder::buildType(KdslParser::TypeExprContext *ctx,
                                             unsigned depth) {
  TypeRef type;
  type.loc = loc(ctx);
  type.isPtr = ctx->star != nullptr;
  type.elemName = textOf(ctx->elem);
  if (!buildExprList(ctx->expr(), type.dims, depth + 1))
    return std::nullopt;
  return type;
}

bool ASTBuilder::buildBlock(KdslParser::BlockContext *ctx,
                            std::vector<StmtPtr> &out, unsigned depth) {
  if (!ctx)
    return !failed();
  for (KdslParser::StmtContext *stmtCtx : ctx->stmt()) {
    StmtPtr stmt = buildStmt(stmtCtx, depth + 1);
    if (failed())
      return false;
    if (stmt)
      out.push_back(std::move(stmt));
  }
  return true;
}

StmtPtr ASTBuilder::buildStmt(KdslParser::StmtContext *ctx, unsigned depth) {
  if (!ctx || !checkDepth(depth, ctx->getStart()))
    return nullptr;
  Loc start = loc(ctx);

  if (auto *let = dynamic_cast<KdslParser::LetStmtContext *>(ctx)) {
    auto stmt = std::make_unique<Stmt>(Stmt::Kind::Let, start);
    stmt->name = textOf(let->name);
    stmt->isMut = let->MUT() != nullptr;
    if (KdslParser::TypeExprContext *type = let->typeExpr()) {
      stmt->annotation = buildType(type, depth);
      if (failed())
        return nullptr;
    }
    stmt->value = buildExpr(let->expr(), depth + 1);
    return stmt;
  }
  if (auto *assign = dynamic_cast<KdslParser::AssignStmtContext *>(ctx)) {
    auto stmt = std::make_unique<Stmt>(Stmt::Kind::Assign, start);
    stmt->name = textOf(assign->name);
    stmt->op = textOf(assign->op);
    stmt->value = buildExpr(assign->expr(), depth + 1);
    return stmt;
  }
  if (auto *exprStmt = dynamic_cast<KdslParser::ExprStmtContext *>(ctx)) {
    auto stmt = std::make_unique<Stmt>(Stmt::Kind::Expr, start);
    stmt->value = buildExpr(exprStmt->expr(), depth + 1);
    return stmt;
  }
  if (auto *forStmt = dynamic_cast<KdslParser::ForStmtContext *>(ctx)) {
    auto stmt = std::make_unique<Stmt>(Stmt::Kind::For, start);
    stmt->name = textOf(forStmt->var);
    std::vector<KdslParser::ExprContext *> bounds = forStmt->expr();
    if (bounds.size() > 0)
      stmt->start = buildExpr(bounds[0], depth + 1);
    if (bounds.size() > 1)
      stmt->end = buildExpr(bounds[1], depth + 1);
    if (bounds.size() > 2)
      stmt->step = buildExpr(bounds[2], depth + 1);
    if (failed())
      return nullptr;
    buildBlock(forStmt->block(), stmt->body, depth);
    return stmt;
  }
  if (auto *ifStmt = dynamic_cast<KdslParser::IfStatementContext *>(ctx))
    return buildIf(ifStmt->ifStmt(), depth);
  if (auto *ret = dynamic_cast<KdslParser::ReturnStmtContext *>(ctx)) {
    auto stmt = std::make_unique<Stmt>(Stmt::Kind::Return, start);
    if (KdslParser::ExprContext *value = ret->expr())
      stmt->value = buildExpr(value, depth + 1);
    return stmt;
  }
  if (auto *block = dynamic_cast<KdslParser::BlockStmtContext *>(ctx)) {
    auto stmt = std::make_unique<Stmt>(Stmt::Kind::Block, start);
    buildBlock(block->block(), stmt->body, depth);
    return stmt;
  }
  return nullptr;
}

StmtPtr ASTBuilder::buildIf(KdslParser::IfStmtContext *ctx, unsigned depth) {
  if (!ctx || !checkDepth(depth, ctx->getStart()))
    return nullptr;
  auto stmt = std::make_unique<Stmt>(Stmt::Kind::If, loc(ctx));
  stmt->value = buildExpr(ctx->expr(), depth + 1);
  if (failed())
    return nullptr;
  std::vector<KdslParser::BlockContext *> blocks = ctx->block();
  if (!blocks.empty() && !buildBlock(blocks[0], stmt->body, depth))
    return nullptr;
  if (ctx->ELSE()) {
    stmt->hasElse = true;
    if (KdslParser::IfStmtContext *elseIf = ctx->ifStmt()) {
      StmtPtr nested = buildIf(elseIf, depth + 1);
      if (failed())
        return nullptr;
      if (nested)
        stmt->elseBody.push_back(std::move(nested));
    } else if (blocks.size() > 1) {
      if (!buildBlock(blocks[1], stmt->elseBody, depth))
        return nullptr;
    }
  }
  return stmt;
}

bool ASTBuilder::buildExprList(
    const std::vector<KdslParser::ExprContext *> &ctxs,
    std::vector<ExprPtr> &out, unsigned depth) {
  for (KdslParser::ExprContext *ctx : ctxs) {
    ExprPtr expr = buildExpr(ctx, depth);
    if (failed())
      return false;
    out.push_back(std::move(expr));
  }
  return true;
}

ExprPtr ASTBuilder::buildExpr(KdslParser::ExprContext *ctx, unsigned depth) {
  if (!ctx || failed() || !checkDepth(depth, ctx->getStart()))
    return nullptr;

  if (auto *primary = dynamic_cast<KdslParser::PrimaryExprContext *>(ctx))
    return buildPrimary(primary->primary(), depth);

  if (auto *index = dynamic_cast<KdslParser::IndexExprContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::Index,
                                       loc(findChildToken(index, "[")));
    expr->operands.push_back(buildExpr(index->expr(), depth + 1));
    for (KdslParser::IndexItemContext *item : index->indexItem())
      expr->indexIsNone.push_back(item->NONE() != nullptr);
    return failed() ? nullptr : std::move(expr);
  }

  if (auto *cast = dynamic_cast<KdslParser::CastExprContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::Cast, loc(cast->AS()));
    expr->name = textOf(cast->IDENT());
    expr->operands.push_back(buildExpr(cast->expr(), depth + 1));
    return failed() ? nullptr : std::move(expr);
  }

  if (auto *unary = dynamic_cast<KdslParser::UnaryExprContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::Unary, loc(unary->op));
    expr->op = textOf(unary->op);
    expr->operands.push_back(buildExpr(unary->expr(), depth + 1));
    return failed() ? nullptr : std::move(expr);
  }

  if (auto *binary = dynamic_cast<KdslParser::BinaryExprContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::Binary, loc(binary->op));
    expr->op = textOf(binary->op);
    if (!buildExprList(binary->expr(), expr->operands, depth + 1))
      return nullptr;
    return expr;
  }
  return nullptr;
}

ExprPtr ASTBuilder::buildPrimary(KdslParser::PrimaryContext *ctx,
                                 unsigned depth) {
  if (!ctx)
    return nullptr;
  antlr4::Token *first = ctx->getStart();

  if (auto *intLit = dynamic_cast<KdslParser::IntLitContext *>(ctx))
    return buildIntLit(intLit->INT()->getSymbol());
  if (auto *floatLit = dynamic_cast<KdslParser::FloatLitContext *>(ctx))
    return buildFloatLit(floatLit->FLOAT()->getSymbol());
  if (dynamic_cast<KdslParser::BoolLitContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::BoolLit, loc(first));
    expr->text = textOf(first);
    expr->boolValue = expr->text == "true";
    return expr;
  }
  if (dynamic_cast<KdslParser::InfLitContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::FloatLit, loc(first));
    expr->text = textOf(first);
    expr->floatValue = std::numeric_limits<double>::infinity();
    return expr;
  }
  if (dynamic_cast<KdslParser::NanLitContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::FloatLit, loc(first));
    expr->text = textOf(first);
    expr->floatValue = std::numeric_limits<double>::quiet_NaN();
    return expr;
  }
  if (dynamic_cast<KdslParser::NoneLitContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::NoneLit, loc(first));
    expr->text = textOf(first);
    return expr;
  }
  if (auto *stringLit = dynamic_cast<KdslParser::StringLitContext *>(ctx))
    return buildStringLit(stringLit->STRING()->getSymbol());
  if (auto *call = dynamic_cast<KdslParser::CallExprContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::Call, loc(call->callee));
    expr->name = textOf(call->callee);
    if (!buildExprList(call->expr(), expr->operands, depth + 1))
      return nullptr;
    return expr;
  }
  if (auto *name = dynamic_cast<KdslParser::NameExprContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::Name, loc(first));
    expr->name = textOf(name->IDENT());
    expr->text = expr->name;
    return expr;
  }
  if (auto *paren = dynamic_cast<KdslParser::ParenExprContext *>(ctx))
    return buildExpr(paren->expr(), depth + 1);
  if (auto *list = dynamic_cast<KdslParser::ListExprContext *>(ctx)) {
    auto expr = std::make_unique<Expr>(Expr::Kind::List, loc(first));
    if (!buildExprList(list->expr(), expr->operands, depth + 1))
      return nullptr;
    return expr;
  }
  return nullptr;
}

ExprPtr ASTBuilder::buildIntLit(antlr4::Token *token) {
  std::string text = textOf(token);
  auto expr = std::make_unique<Expr>(Expr::Kind::IntLit, loc(token));
  expr->text = text;

  llvm::StringRef digits(text);
  unsigned radix = 10;
  if (digits.starts_with_insensitive("0x")) {
    radix = 16;
    digits = digits.drop_front(2);
  }
  uint64_t value = 0;
  bool anyDigit = false;
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  for (char c : digits) {
    if (c == '_')
      continue;
    unsigned digit = 0;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      digit = radix; // cannot happen with the grammar's INT token
    if (digit >= radix) {
      error(expr->loc, "invalid integer literal '" + text + "'");
      return nullptr;
    }
    anyDigit = true;
    if (value > (kMax - digit) / radix) {
      error(expr->loc, "integer literal '" + text + "' is too large");
      return nullptr;
    }
    value = value * radix + digit;
  }
  if (!anyDigit) {
    error(expr->loc, "integer literal '" + text + "' has no digits");
    return nullptr;
  }
  expr->intValue = static_cast<int64_t>(value);
  return expr;
}

ExprPtr ASTBuilder::buildFloatLit(antlr4::Token *token) {
  std::string text = textOf(token);
  auto expr = std::make_unique<Expr>(Expr::Kind::FloatLit, loc(token));
  expr->text = text;

  std::string digits;
  for (char c : text)
    if (c != '_')
      digits += c;
  // APFloat rounds correctly and, unlike strtod, ignores the C locale.
  llvm::APFloat value(llvm::APFloat::IEEEdouble());
  auto status =
      value.convertFromString(digits, llvm::APFloat::rmNearestTiesToEven);
  if (!status) {
    llvm::consumeError(status.takeError());
    error(expr->loc, "invalid floating-point literal '" + text + "'");
    return nullptr;
  }
  if (*status & llvm::APFloat::opOverflow || value.isInfinity()) {
    error(expr->loc, "floating-point literal '" + text + "' is too large");
    return nullptr;
  }
  expr->floatValue = value.convertToDouble();
  return expr;
}

ExprPtr ASTBuilder::buildStringLit(antlr4::Token *token) {
  std::string text = textOf(token);
  auto expr = std::make_unique<Expr>(Expr::Kind::StringLit, loc(token));
  expr->text = text;
  // The token is `"` ... `"`; only the four escapes of the language exist.
  size_t end = text.size() >= 2 ? text.size() - 1 : text.size();
  for (size_t i = 1; i < end; ++i) {
    char c = text[i];
    if (c != '\\') {
      expr->name += c;
      continue;
    }
    char next = i + 1 < end ? text[i + 1] : '\0';
    switch (next) {
    case '"':
      expr->name += '"';
      break;
    case '\\':
      expr->name += '\\';
      break;
    case 'n':
      expr->name += '\n';
      break;
    case 't':
      expr->name += '\t';
      break;
    default: {
      Loc at = expr->loc;
      at.col += i;
      // Show the whole (possibly multi-byte) character after the backslash.
      size_t len = 1;
      while (i + 1 + len < end &&
             (static_cast<unsigned char>(text[i + 1 + len]) & 0xC0) == 0x80)
        ++len;
      std::string escape = "\\" + text.substr(i + 1, len);
      if (static_cast<unsigned char>(next) < 0x20 || next == 0x7f)
        escape = "\\";
      error(at, "unknown escape sequence '" + escape +
                    "' in a string (use \\\" \\\\ \\n or \\t)");
      return nullptr;
    }
    }
    ++i;
  }
  return expr;
}

std::unique_ptr<Module> detail::buildModule(KdslParser::FileContext *file,
                                            const SourceLocator &locator,
                                            llvm::StringRef fileName,
                                            SyntaxDiag &diag) {
  ASTBuilder builder(locator, diag);
  return builder.build(file, fileName);
}
