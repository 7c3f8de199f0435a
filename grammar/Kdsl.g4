// Kdsl.g4 - the grammar of the .kdsl language (shared/design/LANGUAGE.md).
// The C++ parser is generated from this file at build time; never commit it.
grammar Kdsl;

file : topDecl* EOF ;

topDecl : kernelDecl | fnDecl ;

kernelDecl : attribute* KERNEL name=IDENT '(' paramList? ')' gridClause? block ;

// `grid` is not a keyword: the builder checks the name.
gridClause : kw=IDENT '(' expr (',' expr)* ','? ')' ;

attribute : '@' name=IDENT '(' (attrArg (',' attrArg)* ','?)? ')' ;
attrArg : name=IDENT '=' expr ;

paramList : param (',' param)* ','? ;
param : name=IDENT ':' (CONST typeExpr ('=' expr)? | typeExpr) ;

fnDecl : FN name=IDENT '(' (fnParam (',' fnParam)* ','?)? ')' ('->' typeExpr)? block ;
fnParam : name=IDENT (':' typeExpr)? ;

typeExpr : star='*'? elem=IDENT ('[' expr (',' expr)* ']')? ;

block : '{' stmt* '}' ;

stmt
  : LET MUT? name=IDENT (':' typeExpr)? '=' expr ';'           # letStmt
  | name=IDENT op=('=' | '+=' | '-=' | '*=' | '/=') expr ';'   # assignStmt
  | FOR var=IDENT IN RANGE '(' expr ',' expr (',' expr)? ')' block # forStmt
  | ifStmt                                                     # ifStatement
  | RETURN expr? ';'                                           # returnStmt
  | block                                                      # blockStmt
  | expr ';'                                                   # exprStmt
  ;

ifStmt : IF expr block (ELSE (ifStmt | block))? ;

expr
  : primary                                           # primaryExpr
  | expr '[' indexItem (',' indexItem)* ']'           # indexExpr
  | expr AS IDENT                                     # castExpr
  | op=('-' | '!' | '~') expr                         # unaryExpr
  | expr op=('*' | '/' | '%') expr                    # binaryExpr
  | expr op=('+' | '-') expr                          # binaryExpr
  | expr op=('<<' | '>>') expr                        # binaryExpr
  | expr op=('<' | '<=' | '>' | '>=') expr            # binaryExpr
  | expr op=('==' | '!=') expr                        # binaryExpr
  | expr op='&' expr                                  # binaryExpr
  | expr op='^' expr                                  # binaryExpr
  | expr op='|' expr                                  # binaryExpr
  | expr op='&&' expr                                 # binaryExpr
  | expr op='||' expr                                 # binaryExpr
  ;

indexItem : ':' | NONE ;

primary
  : INT                                               # intLit
  | FLOAT                                             # floatLit
  | (TRUE | FALSE)                                    # boolLit
  | INF                                               # infLit
  | NAN                                               # nanLit
  | NONE                                              # noneLit
  | STRING                                            # stringLit
  | callee=IDENT '(' (expr (',' expr)* ','?)? ')'     # callExpr
  | IDENT                                             # nameExpr
  | '(' expr ')'                                      # parenExpr
  | '[' (expr (',' expr)* ','?)? ']'                  # listExpr
  ;

KERNEL : 'kernel' ;
FN : 'fn' ;
LET : 'let' ;
MUT : 'mut' ;
CONST : 'const' ;
FOR : 'for' ;
IN : 'in' ;
RANGE : 'range' ;
IF : 'if' ;
ELSE : 'else' ;
RETURN : 'return' ;
AS : 'as' ;
TRUE : 'true' ;
FALSE : 'false' ;
INF : 'inf' ;
NAN : 'nan' ;
NONE : 'None' ;

FLOAT
  : DIGITS '.' [0-9_]* EXPONENT?
  | '.' [0-9] [0-9_]* EXPONENT?
  | DIGITS EXPONENT
  ;
INT : '0' [xX] [0-9a-fA-F_]+ | DIGITS ;
fragment DIGITS : [0-9] [0-9_]* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

IDENT : [A-Za-z_] [A-Za-z0-9_]* ;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

LINE_COMMENT : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS : [ \t\r\n]+ -> skip ;

// Tokens only seen in bad input, so the parser can name the problem.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
BAD_CHAR : . ;
