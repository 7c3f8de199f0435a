//===- Parser.cpp - .kdsl source to AST -----------------------------------===//
//
// Runs the ANTLR lexer and parser generated from grammar/Kdsl.g4, turns the
// first syntax error into a message in words (what was expected, what was
// found) at a FileLineColLoc, and hands a clean parse tree to the AST builder.
// The ANTLR runtime throws; nothing escapes this file.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Frontend/Parser.h"

#include "ASTBuilder.h"

#include "KdslLexer.h"
#include "KdslParser.h"
#include "antlr4-runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"

#include <map>
#include <mutex>
#include <optional>

using namespace kdsl;
using kdsl::detail::SourceLocator;
using kdsl::detail::SyntaxDiag;
using kdsl_antlr::KdslLexer;
using kdsl_antlr::KdslParser;

namespace {

/// Limits that keep the recursive-descent parser (and the passes after it)
/// far from the end of the stack.
constexpr unsigned kMaxBracketNesting = 200;
constexpr unsigned kMaxPrefixOperators = 200;
constexpr unsigned kMaxElseIfChain = 200;
/// Brackets, runs of prefix operators and `else if` chains all add to the
/// parser's recursion; this bounds their sum.
constexpr unsigned kMaxCombinedNesting = 400;

/// Names the grammar's tokens by their spelling, so that the messages do not
/// depend on ANTLR's generated `T__n` numbering.
class TokenTable {
public:
  static const TokenTable &get() {
    static const TokenTable table;
    return table;
  }
  /// The type of the literal token spelled `text`, e.g. `(`.
  size_t type(const std::string &text) const {
    auto it = byText.find(text);
    return it == byText.end() ? antlr4::Token::INVALID_TYPE : it->second;
  }
  /// The spelling of a literal token, without quotes; empty if none.
  const std::string &text(size_t type) const {
    static const std::string empty;
    auto it = byType.find(type);
    return it == byType.end() ? empty : it->second;
  }

private:
  TokenTable() {
    // The vocabulary is only reachable through an instance.
    antlr4::ANTLRInputStream input;
    KdslLexer lexer(&input);
    const antlr4::dfa::Vocabulary &vocab = lexer.getVocabulary();
    for (size_t type = 1; type <= vocab.getMaxTokenType(); ++type) {
      std::string literal = vocab.getLiteralName(type);
      if (literal.size() < 3 || literal.front() != '\'')
        continue;
      std::string text = literal.substr(1, literal.size() - 2);
      byText[text] = type;
      byType[type] = text;
    }
  }
  std::map<std::string, size_t> byText;
  std::map<size_t, std::string> byType;
};

/// Quotes a token's text for a message, shortened when it is long.
std::string quote(const std::string &text) {
  constexpr size_t kMaxShown = 32;
  if (text.size() <= kMaxShown)
    return "'" + text + "'";
  size_t cut = kMaxShown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return "'" + text.substr(0, cut) + "...'";
}

/// A character the lexer could not use, readable even when it is a control
/// character.
std::string describeBadChar(const std::string &text) {
  if (text.size() == 1) {
    unsigned char c = text[0];
    if (c < 0x20 || c == 0x7f)
      return "unexpected character '\\x" + llvm::utohexstr(c, true, 2) + "'";
  }
  // Non-ASCII: name the code point too, as it may be invisible.
  if (!text.empty() && static_cast<unsigned char>(text[0]) >= 0x80) {
    const llvm::UTF8 *src = reinterpret_cast<const llvm::UTF8 *>(text.data());
    llvm::UTF32 cp = 0;
    llvm::UTF32 *dst = &cp;
    if (llvm::ConvertUTF8toUTF32(&src, src + text.size(), &dst, dst + 1,
                                 llvm::strictConversion) ==
            llvm::conversionOK ||
        dst != &cp) {
      std::string hex = llvm::utohexstr(cp);
      if (hex.size() < 4)
        hex.insert(0, 4 - hex.size(), '0');
      return "unexpected character '" + text + "' (U+" + hex + ")";
    }
  }
  return "unexpected character " + quote(text);
}

/// The first error of a parse, and what the builder of its message needs.
class SyntaxErrorReporter {
public:
  SyntaxErrorReporter(const SourceLocator &locator, antlr4::TokenStream &tokens)
      : locator(locator), tokens(tokens) {}

  bool hasError() const { return error.has_value(); }
  const SyntaxDiag &getError() const { return *error; }

  void report(ast::Loc loc, std::string message) {
    if (!error)
      error = SyntaxDiag{loc, std::move(message)};
  }

  /// A token the pre-scan found nested too deeply: the parser cannot consume
  /// it, so parsing stops there unless an earlier error stops it first.
  void markTooDeep(antlr4::Token *token, std::string message) {
    tooDeepIndex = token->getTokenIndex();
    tooDeepMessage = std::move(message);
    if (auto *writable = dynamic_cast<antlr4::WritableToken *>(token))
      writable->setType(KdslLexer::BAD_CHAR);
  }

  /// Reports a parser error at `offending`, where any of `expected` would
  /// have been accepted.
  void reportSyntaxError(antlr4::Parser *parser, antlr4::Token *offending,
                         const antlr4::misc::IntervalSet &expected);

private:
  std::string describeExpected(antlr4::Parser *parser,
                               antlr4::misc::IntervalSet expected,
                               antlr4::Token *offending, bool &wantsSemicolon,
                               bool &tooMany);
  std::string nameWord(antlr4::Parser *parser, antlr4::Token *offending);
  antlr4::Token *previousToken(antlr4::Token *token) {
    size_t index = token->getTokenIndex();
    if (index == 0 || index == static_cast<size_t>(-1) || index > tokens.size())
      return nullptr;
    return tokens.get(index - 1);
  }

  const SourceLocator &locator;
  antlr4::TokenStream &tokens;
  std::optional<SyntaxDiag> error;
  size_t tooDeepIndex = static_cast<size_t>(-1);
  std::string tooDeepMessage;
};

} // namespace

/// What the user would call an identifier in this position.
std::string SyntaxErrorReporter::nameWord(antlr4::Parser *parser,
                                          antlr4::Token *offending) {
  antlr4::Token *prev = previousToken(offending);
  size_t prevType = prev ? prev->getType() : antlr4::Token::INVALID_TYPE;
  const TokenTable &table = TokenTable::get();
  switch (prevType) {
  case KdslLexer::KERNEL:
    return "a kernel name";
  case KdslLexer::FN:
    return "a function name";
  case KdslLexer::LET:
  case KdslLexer::MUT:
    return "a variable name";
  case KdslLexer::FOR:
    return "a loop variable name";
  case KdslLexer::AS:
    return "a type name";
  default:
    break;
  }
  if (prevType == table.type("@"))
    return "an attribute name";
  antlr4::ParserRuleContext *ctx = parser->getContext();
  bool afterListStart =
      prevType == table.type("(") || prevType == table.type(",");
  if (afterListStart && (dynamic_cast<KdslParser::KernelDeclContext *>(ctx) ||
                         dynamic_cast<KdslParser::ParamListContext *>(ctx) ||
                         dynamic_cast<KdslParser::ParamContext *>(ctx) ||
                         dynamic_cast<KdslParser::FnDeclContext *>(ctx) ||
                         dynamic_cast<KdslParser::FnParamContext *>(ctx)))
    return "a parameter name";
  if (afterListStart && (dynamic_cast<KdslParser::AttributeContext *>(ctx) ||
                         dynamic_cast<KdslParser::AttrArgContext *>(ctx)))
    return "an argument name";
  if (dynamic_cast<KdslParser::TypeExprContext *>(ctx))
    return "an element type";
  return "a name";
}

/// Turns a set of token types into words: "an expression", "';' or ','".
/// Sets `wantsSemicolon` when a `;` ends the statement here, and `tooMany`
/// when the list would be too long to help.
std::string SyntaxErrorReporter::describeExpected(
    antlr4::Parser *parser, antlr4::misc::IntervalSet expected,
    antlr4::Token *offending, bool &wantsSemicolon, bool &tooMany) {
  const TokenTable &table = TokenTable::get();
  auto lit = [&](const char *text) { return table.type(text); };
  auto has = [&](size_t type) {
    return type != antlr4::Token::INVALID_TYPE &&
           expected.contains(static_cast<ssize_t>(type));
  };
  auto drop = [&](size_t type) {
    if (has(type))
      expected.remove(static_cast<ssize_t>(type));
  };
  expected.remove(static_cast<ssize_t>(antlr4::Token::EPSILON));
  bool atEOF = offending->getType() == antlr4::Token::EOF;
  std::vector<std::string> words;

  // At the end of the file, only the closing brackets still help.
  if (atEOF && (has(lit("}")) || has(lit(")")) || has(lit("]")))) {
    antlr4::misc::IntervalSet closers;
    for (const char *closer : {")", "]", "}"})
      if (has(lit(closer)))
        closers.add(static_cast<ssize_t>(lit(closer)));
    expected = closers;
  }

  const size_t exprStart[] = {
      KdslLexer::INT,  KdslLexer::FLOAT, KdslLexer::IDENT, KdslLexer::STRING,
      KdslLexer::TRUE, KdslLexer::FALSE, KdslLexer::INF,   KdslLexer::NAN,
      KdslLexer::NONE, lit("("),         lit("["),         lit("-"),
      lit("!"),        lit("~")};
  bool hasExpr = has(KdslLexer::INT) && has(KdslLexer::IDENT) && has(lit("("));
  if (!hasExpr && has(lit(";"))) {
    wantsSemicolon = true;
    return "';'";
  }
  if (hasExpr && has(KdslLexer::LET) && has(KdslLexer::RETURN)) {
    words.push_back("a statement");
    for (size_t type :
         {size_t(KdslLexer::LET), size_t(KdslLexer::FOR), size_t(KdslLexer::IF),
          size_t(KdslLexer::RETURN), lit("{")})
      drop(type);
  } else if (hasExpr) {
    words.push_back("an expression");
  }
  if (hasExpr)
    for (size_t type : exprStart)
      drop(type);
  if (has(KdslLexer::KERNEL) && has(KdslLexer::FN)) {
    words.push_back("a 'kernel' or 'fn' definition");
    drop(KdslLexer::KERNEL);
    drop(KdslLexer::FN);
    drop(lit("@"));
  }
  if (has(KdslLexer::KERNEL) && has(lit("@"))) {
    words.push_back("'kernel'");
    words.push_back("another attribute");
    drop(KdslLexer::KERNEL);
    drop(lit("@"));
  }
  if (!hasExpr && has(lit("*")) && has(KdslLexer::IDENT)) {
    words.push_back("a type");
    drop(lit("*"));
    drop(KdslLexer::IDENT);
    drop(KdslLexer::CONST);
  }

  // Operators that could continue the expression just parsed are implied.
  const char *continuations[] = {"*", "/",  "%",  "+",  "-",  "<<", ">>",
                                 "<", "<=", ">",  ">=", "==", "!=", "&",
                                 "^", "|",  "&&", "||", "["};
  antlr4::misc::IntervalSet cont;
  for (const char *text : continuations)
    cont.add(static_cast<ssize_t>(lit(text)));
  cont.add(static_cast<ssize_t>(KdslLexer::AS));
  bool onlyContinuations = true;
  for (ssize_t type : expected.toList())
    if (type != static_cast<ssize_t>(antlr4::Token::EOF) &&
        !cont.contains(type))
      onlyContinuations = false;
  if (!onlyContinuations || !words.empty()) {
    for (ssize_t type : cont.toList())
      expected.remove(type);
  } else if (!expected.isEmpty()) {
    words.push_back("an operator");
    for (ssize_t type : cont.toList())
      expected.remove(type);
  }

  if (has(KdslLexer::IDENT)) {
    words.push_back(nameWord(parser, offending));
    drop(KdslLexer::IDENT);
  }
  if (has(KdslLexer::INT) || has(KdslLexer::FLOAT)) {
    words.push_back("a number");
    drop(KdslLexer::INT);
    drop(KdslLexer::FLOAT);
  }
  if (has(KdslLexer::STRING)) {
    words.push_back("a string");
    drop(KdslLexer::STRING);
  }
  // Punctuation in a fixed, readable order; then everything else.
  for (const char *text :
       {";", ",", "=", ":", "->", "(", "{", "[", ")", "]", "}"}) {
    if (has(lit(text))) {
      words.push_back(quote(text));
      drop(lit(text));
    }
  }
  bool wantsEOF = expected.contains(static_cast<ssize_t>(antlr4::Token::EOF));
  expected.remove(static_cast<ssize_t>(antlr4::Token::EOF));
  for (ssize_t type : expected.toList()) {
    const std::string &text = table.text(static_cast<size_t>(type));
    if (!text.empty())
      words.push_back(quote(text));
  }
  if (words.empty() && wantsEOF)
    words.push_back("the end of the file");

  if (words.empty() || words.size() > 4) {
    tooMany = true;
    return "";
  }
  std::string result = words[0];
  for (size_t i = 1; i < words.size(); ++i)
    result += (i + 1 == words.size() ? " or " : ", ") + words[i];
  return result;
}

void SyntaxErrorReporter::reportSyntaxError(
    antlr4::Parser *parser, antlr4::Token *offending,
    const antlr4::misc::IntervalSet &expected) {
  if (error)
    return;
  if (!offending)
    offending = parser->getCurrentToken();
  if (!offending) {
    report({1, 1}, "syntax error");
    return;
  }
  ast::Loc at = locator.loc(offending);
  size_t type = offending->getType();
  if (offending->getTokenIndex() == tooDeepIndex)
    return report(at, tooDeepMessage);
  switch (type) {
  case KdslLexer::UNTERMINATED_COMMENT:
    return report(at, "unterminated /* comment");
  case KdslLexer::UNTERMINATED_STRING:
    return report(at, "unterminated string");
  case KdslLexer::BAD_CHAR:
    return report(at, describeBadChar(offending->getText()));
  default:
    break;
  }

  bool atEOF = type == antlr4::Token::EOF;
  std::string found = atEOF ? "end of file" : quote(offending->getText());
  antlr4::ParserRuleContext *ctx = parser->getContext();
  const TokenTable &table = TokenTable::get();

  // A kernel's grid clause is an identifier that must be `grid`.
  if (auto *grid = dynamic_cast<KdslParser::GridClauseContext *>(ctx)) {
    if (grid->kw && grid->kw->getText() != "grid")
      return report(locator.loc(grid->kw),
                    "expected 'grid(...)' or '{' after the parameter list");
  }
  if (dynamic_cast<KdslParser::KernelDeclContext *>(ctx) &&
      expected.contains(static_cast<ssize_t>(KdslLexer::IDENT)) &&
      expected.contains(static_cast<ssize_t>(table.type("{")))) {
    std::string message =
        "expected 'grid(...)' or '{' after the parameter list";
    if (atEOF)
      return report(at, "unexpected end of file: " + message);
    return report(at, message + ", found " + found);
  }

  bool wantsSemicolon = false, tooMany = false;
  std::string words =
      describeExpected(parser, expected, offending, wantsSemicolon, tooMany);
  if (wantsSemicolon) {
    // Like clang: point just after the statement that lacks its `;`.
    antlr4::Token *prev = previousToken(offending);
    return report(prev ? locator.locAfter(prev) : at,
                  "expected ';' after the statement");
  }
  if (tooMany)
    return report(at, atEOF ? "unexpected end of file" : "unexpected " + found);
  if (atEOF)
    return report(at, "unexpected end of file: expected " + words);
  return report(at, "expected " + words + ", found " + found);
}

namespace {

/// Reports the first error and then stops the parse: no recovery, so there
/// is exactly one message and no cascade.
class FirstErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  explicit FirstErrorStrategy(SyntaxErrorReporter &reporter)
      : reporter(reporter) {}

  void reportError(antlr4::Parser *parser,
                   const antlr4::RecognitionException &e) override {
    antlr4::Token *offending = e.getOffendingToken();
    antlr4::misc::IntervalSet expected;
    // A prediction that failed several tokens ahead knows what it wanted
    // there; the parser's own state only knows the first token.
    if (auto *noViable = dynamic_cast<const antlr4::NoViableAltException *>(&e))
      if (antlr4::atn::ATNConfigSet *configs = noViable->getDeadEndConfigs())
        for (const auto &config : configs->configs)
          if (config && config->state)
            for (antlr4::atn::Transition *transition :
                 config->state->transitions)
              if (transition && !transition->isEpsilon())
                expected.addAll(transition->label());
    if (expected.isEmpty() || !offending ||
        offending == parser->getCurrentToken())
      expected = parser->getExpectedTokens();
    reporter.reportSyntaxError(parser, offending, expected);
  }

  void recover(antlr4::Parser *, std::exception_ptr) override {
    throw antlr4::ParseCancellationException();
  }

  antlr4::Token *recoverInline(antlr4::Parser *parser) override {
    antlr4::InputMismatchException e(parser);
    reportError(parser, e);
    throw antlr4::ParseCancellationException();
  }

  void sync(antlr4::Parser *parser) override {
    antlr4::DefaultErrorStrategy::sync(parser);
    if (reporter.hasError())
      throw antlr4::ParseCancellationException();
  }

protected:
  void reportUnwantedToken(antlr4::Parser *parser) override {
    reporter.reportSyntaxError(parser, parser->getCurrentToken(),
                               parser->getExpectedTokens());
  }
  void reportMissingToken(antlr4::Parser *parser) override {
    reporter.reportSyntaxError(parser, parser->getCurrentToken(),
                               parser->getExpectedTokens());
  }

private:
  SyntaxErrorReporter &reporter;
};

/// The lexer has a catch-all token, so this only fires on an internal
/// problem; it still gives a located message.
class LexerErrorListener : public antlr4::BaseErrorListener {
public:
  LexerErrorListener(const SourceLocator &locator,
                     SyntaxErrorReporter &reporter)
      : locator(locator), reporter(reporter) {}
  void syntaxError(antlr4::Recognizer *, antlr4::Token *, size_t line,
                   size_t charPositionInLine, const std::string &,
                   std::exception_ptr) override {
    reporter.report(locator.loc(line, charPositionInLine),
                    "unexpected character");
  }

private:
  const SourceLocator &locator;
  SyntaxErrorReporter &reporter;
};

/// Finds the first token nested too deeply for the recursive parser and
/// marks it; returns nothing, the parse reports it in source order.
void checkNesting(antlr4::BufferedTokenStream &tokens,
                  SyntaxErrorReporter &reporter) {
  const TokenTable &table = TokenTable::get();
  const size_t open[] = {table.type("("), table.type("["), table.type("{")};
  const size_t close[] = {table.type(")"), table.type("]"), table.type("}")};
  const size_t prefix[] = {table.type("-"), table.type("!"), table.type("~")};
  auto isOneOf = [](size_t type, const size_t(&set)[3]) {
    return type == set[0] || type == set[1] || type == set[2];
  };

  std::vector<antlr4::Token *> all = tokens.getTokens();
  // The combined depth saved at each open bracket, and per bracket level the
  // length of the `else if` chain running there.
  std::vector<unsigned> saved;
  std::vector<unsigned> elseIfChain(1, 0);
  unsigned depth = 0, prefixRun = 0;
  for (size_t i = 0, e = all.size(); i < e; ++i) {
    antlr4::Token *token = all[i];
    size_t type = token->getType();
    size_t nextType =
        i + 1 < e ? all[i + 1]->getType() : antlr4::Token::INVALID_TYPE;
    if (isOneOf(type, open)) {
      saved.push_back(depth);
      elseIfChain.push_back(0);
      depth += prefixRun + 1;
      prefixRun = 0;
      if (saved.size() > kMaxBracketNesting || depth > kMaxCombinedNesting) {
        reporter.markTooDeep(token, type == table.type("{")
                                        ? "blocks nested too deeply"
                                        : "expression nested too deeply");
        return;
      }
      continue;
    }
    prefixRun = isOneOf(type, prefix) ? prefixRun + 1 : 0;
    if (prefixRun && (prefixRun > kMaxPrefixOperators ||
                      depth + prefixRun > kMaxCombinedNesting)) {
      reporter.markTooDeep(token, "expression nested too deeply");
      return;
    }
    if (isOneOf(type, close)) {
      if (!saved.empty()) {
        depth = saved.back();
        saved.pop_back();
        elseIfChain.pop_back();
      }
      // A block not followed by `else` ends the `else if` chain it closes.
      if (type == table.type("}") && nextType != KdslLexer::ELSE) {
        depth -= std::min(depth, elseIfChain.back());
        elseIfChain.back() = 0;
      }
      continue;
    }
    if (type == KdslLexer::ELSE && nextType == KdslLexer::IF) {
      ++elseIfChain.back();
      ++depth;
      if (elseIfChain.back() > kMaxElseIfChain || depth > kMaxCombinedNesting) {
        reporter.markTooDeep(all[i + 1], "too many 'else if' in one chain");
        return;
      }
    }
  }
}

/// The generated parser shares its DFA cache between instances; the ANTLR
/// 4.9 runtime does not promise that this is safe across threads.
std::mutex &parserMutex() {
  static std::mutex mutex;
  return mutex;
}

std::unique_ptr<ast::Module> parseImpl(llvm::StringRef source,
                                       llvm::StringRef fileName,
                                       std::optional<SyntaxDiag> &failure) {
  // Invalid UTF-8 would make the ANTLR input stream throw without a location.
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(source.data());
  const llvm::UTF8 *cursor = begin;
  if (!llvm::isLegalUTF8String(&cursor, begin + source.size())) {
    SourceLocator locator(source, 0);
    failure = SyntaxDiag{locator.locOfOffset(cursor - begin),
                         "invalid UTF-8 byte 0x" +
                             llvm::utohexstr(*cursor, false, 2) +
                             " (source files must be UTF-8)"};
    return nullptr;
  }
  llvm::StringRef text = source;
  unsigned skipped = 0;
  if (text.consume_front("\xEF\xBB\xBF"))
    skipped = 3;
  SourceLocator locator(source, skipped);

  std::lock_guard<std::mutex> lock(parserMutex());
  antlr4::ANTLRInputStream input(text.data(), text.size());
  KdslLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  SyntaxErrorReporter reporter(locator, tokens);
  LexerErrorListener lexerListener(locator, reporter);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&lexerListener);
  tokens.fill();
  if (reporter.hasError()) {
    failure = reporter.getError();
    return nullptr;
  }
  checkNesting(tokens, reporter);

  KdslParser parser(&tokens);
  parser.removeErrorListeners();
  KdslParser::FileContext *tree = nullptr;
  // Fast SLL prediction first; on any error, parse again with full LL and
  // the reporting strategy, which gives the exact first error.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    tree = parser.file();
  } catch (antlr4::ParseCancellationException &) {
    tree = nullptr;
  }
  if (!tree) {
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<FirstErrorStrategy>(reporter));
    try {
      tree = parser.file();
    } catch (antlr4::ParseCancellationException &) {
      tree = nullptr;
    }
    if (reporter.hasError()) {
      failure = reporter.getError();
      return nullptr;
    }
    if (!tree) {
      failure = SyntaxDiag{{1, 1}, "syntax error"};
      return nullptr;
    }
  }

  SyntaxDiag diag;
  std::unique_ptr<ast::Module> module =
      detail::buildModule(tree, locator, fileName, diag);
  if (!module)
    failure = diag;
  return module;
}

} // namespace

std::unique_ptr<ast::Module> kdsl::parseModule(llvm::StringRef source,
                                               llvm::StringRef fileName,
                                               mlir::MLIRContext *context) {
  std::optional<SyntaxDiag> failure;
  std::unique_ptr<ast::Module> module;
  try {
    module = parseImpl(source, fileName, failure);
  } catch (const std::exception &e) {
    failure = SyntaxDiag{
        {1, 1}, std::string("internal error in the parser: ") + e.what()};
  } catch (...) {
    failure = SyntaxDiag{{1, 1}, "internal error in the parser"};
  }
  if (!failure)
    return module;
  mlir::emitError(mlir::FileLineColLoc::get(
      context, fileName, failure->loc.line, failure->loc.col))
      << failure->message;
  return nullptr;
}
