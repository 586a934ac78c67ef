// Names, types, literals and expressions shared by every statement category.
parser grammar PgBase;

// ---------------------------------------------------------------------------------------------
// Names. PostgreSQL's keyword classes (PgKeywordRules) decide where a keyword may be a name.

identifier
    : IDENT
    | QUOTED_IDENT
    | UNICODE_QUOTED_IDENT (K_UESCAPE STRING)?
    ;

colId
    : identifier
    | unreservedKeyword
    | colNameKeyword
    ;

typeFunctionName
    : identifier
    | unreservedKeyword
    | typeFuncNameKeyword
    ;

nonReservedWord
    : identifier
    | unreservedKeyword
    | colNameKeyword
    | typeFuncNameKeyword
    ;

colLabel
    : identifier
    | unreservedKeyword
    | colNameKeyword
    | typeFuncNameKeyword
    | reservedKeyword
    ;

bareColLabel
    : identifier
    | bareLabelKeyword
    ;

name
    : colId
    ;

nameList
    : name (COMMA name)*
    ;

// Relation names: name, schema.name, catalog.schema.name.
qualifiedName
    : colId (DOT colLabel (DOT colLabel)?)?
    ;

qualifiedNameList
    : qualifiedName (COMMA qualifiedName)*
    ;

// Any dotted name (types, collations, functions in DDL ...).
anyName
    : colId (DOT colLabel)*
    ;

anyNameList
    : anyName (COMMA anyName)*
    ;

funcName
    : typeFunctionName
    | colId (DOT colLabel)+
    ;

// ---------------------------------------------------------------------------------------------
// Types.

typeName
    : K_SETOF? simpleTypeName arrayBounds
    ;

typeList
    : typeName (COMMA typeName)*
    ;

arrayBounds
    : (OPEN_BRACKET INTEGER? CLOSE_BRACKET)*
    | K_ARRAY (OPEN_BRACKET INTEGER CLOSE_BRACKET)?
    ;

simpleTypeName
    : numericType
    | bitType
    | characterType
    | constDatetime
    | K_INTERVAL (intervalQualifier | OPEN_PAREN INTEGER CLOSE_PAREN)?
    | genericType
    ;

genericType
    : typeFunctionName (DOT colLabel)* typeModifiers?
    ;

typeModifiers
    : OPEN_PAREN exprList CLOSE_PAREN
    ;

numericType
    : K_INT
    | K_INTEGER
    | K_SMALLINT
    | K_BIGINT
    | K_REAL
    | K_FLOAT (OPEN_PAREN INTEGER CLOSE_PAREN)?
    | K_DOUBLE K_PRECISION
    | K_DECIMAL typeModifiers?
    | K_DEC typeModifiers?
    | K_NUMERIC typeModifiers?
    | K_BOOLEAN
    ;

bitType
    : K_BIT K_VARYING? (OPEN_PAREN exprList CLOSE_PAREN)?
    ;

characterType
    : ( K_CHARACTER K_VARYING?
      | K_CHAR K_VARYING?
      | K_VARCHAR
      | K_NATIONAL (K_CHARACTER | K_CHAR) K_VARYING?
      | K_NCHAR K_VARYING?
      ) (OPEN_PAREN INTEGER CLOSE_PAREN)?
    ;

constDatetime
    : (K_TIMESTAMP | K_TIME) (OPEN_PAREN INTEGER CLOSE_PAREN)? ((K_WITH | K_WITHOUT) K_TIME K_ZONE)?
    ;

intervalQualifier
    : K_YEAR (K_TO K_MONTH)?
    | K_MONTH
    | K_DAY (K_TO (K_HOUR | K_MINUTE | intervalSecond))?
    | K_HOUR (K_TO (K_MINUTE | intervalSecond))?
    | K_MINUTE (K_TO intervalSecond)?
    | intervalSecond
    ;

intervalSecond
    : K_SECOND (OPEN_PAREN INTEGER CLOSE_PAREN)?
    ;

// Types usable as `type 'literal'` (PostgreSQL's ConstTypename).
constTypeName
    : numericType
    | K_BIT K_VARYING? (OPEN_PAREN exprList CLOSE_PAREN)?
    | characterType
    | constDatetime
    ;

// ---------------------------------------------------------------------------------------------
// Literals.

stringConst
    : STRING
    | ESCAPE_STRING
    | UNICODE_STRING (K_UESCAPE STRING)?
    | BIT_STRING
    | HEX_STRING
    | NATIONAL_STRING
    | DOLLAR_STRING
    ;

numericConst
    : INTEGER
    | NUMERIC
    ;

signedNumber
    : (PLUS | MINUS)? numericConst
    ;

booleanOrNull
    : K_TRUE
    | K_FALSE
    | K_NULL
    ;

// A literal (PostgreSQL's AexprConst).
constant
    : numericConst                                                      # constNumber
    | stringConst                                                       # constString
    | booleanOrNull                                                     # constBoolNull
    | constTypeName stringConst                                         # constTyped
    | K_INTERVAL (stringConst intervalQualifier?
                 | OPEN_PAREN INTEGER CLOSE_PAREN stringConst)          # constInterval
    | funcName stringConst                                              # constGenericTyped
    ;

// ---------------------------------------------------------------------------------------------
// Expressions. One left-recursive rule; alternatives from the highest precedence to the lowest
// (PostgreSQL's gram.y precedence table).

expr
    : primaryExpr                                                        # exprPrimary
    | expr TYPECAST typeName                                             # exprTypecast
    | <assoc=right> (PLUS | MINUS) expr                                  # exprUnary
    | expr K_COLLATE anyName                                             # exprCollate
    | expr K_AT K_TIME K_ZONE expr                                       # exprAtTimeZone
    | expr CARET expr                                                    # exprPower
    | expr (STAR | SLASH | PERCENT) expr                                 # exprMul
    | expr (PLUS | MINUS) expr                                           # exprAdd
    | expr qualOp expr                                                   # exprOp
    | qualOp expr                                                        # exprPrefixOp
    | expr K_NOT? (K_LIKE | K_ILIKE) expr (K_ESCAPE expr)?               # exprLike
    | expr K_NOT? K_SIMILAR K_TO expr (K_ESCAPE expr)?                   # exprSimilar
    | expr K_NOT? K_BETWEEN (K_SYMMETRIC | K_ASYMMETRIC)? bExpr K_AND expr # exprBetween
    | expr K_NOT? K_IN inList                                            # exprIn
    | expr subqueryOp subType (selectWithParens | OPEN_PAREN expr CLOSE_PAREN) # exprQuantified
    | expr compOp expr                                                   # exprCompare
    | expr K_IS K_NOT? ( K_NULL | K_TRUE | K_FALSE | K_UNKNOWN | K_DOCUMENT
                       | unicodeNormalForm? K_NORMALIZED )               # exprIs
    | expr K_IS K_NOT? K_DISTINCT K_FROM expr                            # exprIsDistinct
    | expr (K_ISNULL | K_NOTNULL)                                        # exprNullTest
    | <assoc=right> K_NOT expr                                           # exprNot
    | expr K_AND expr                                                    # exprAnd
    | expr K_OR expr                                                     # exprOr
    ;

// PostgreSQL's b_expr: no boolean connectives; used where AND would be ambiguous (BETWEEN).
bExpr
    : primaryExpr                                                        # bExprPrimary
    | bExpr TYPECAST typeName                                            # bExprTypecast
    | <assoc=right> (PLUS | MINUS) bExpr                                 # bExprUnary
    | bExpr CARET bExpr                                                  # bExprPower
    | bExpr (STAR | SLASH | PERCENT) bExpr                               # bExprMul
    | bExpr (PLUS | MINUS) bExpr                                         # bExprAdd
    | bExpr qualOp bExpr                                                 # bExprOp
    | qualOp bExpr                                                       # bExprPrefixOp
    | bExpr compOp bExpr                                                 # bExprCompare
    | bExpr K_IS K_NOT? (K_DISTINCT K_FROM bExpr | K_DOCUMENT)           # bExprIs
    ;

compOp
    : EQUAL
    | NOT_EQUALS
    | LT
    | GT
    | LESS_EQUALS
    | GREATER_EQUALS
    ;

mathOp
    : PLUS
    | MINUS
    | STAR
    | SLASH
    | PERCENT
    | CARET
    | LT
    | GT
    | EQUAL
    | LESS_EQUALS
    | GREATER_EQUALS
    | NOT_EQUALS
    ;

allOp
    : OPERATOR
    | mathOp
    ;

// OPERATOR(schema.op)
anyOperator
    : (colId DOT)* allOp
    ;

qualOp
    : OPERATOR
    | K_OPERATOR OPEN_PAREN anyOperator CLOSE_PAREN
    ;

qualAllOp
    : allOp
    | K_OPERATOR OPEN_PAREN anyOperator CLOSE_PAREN
    ;

subqueryOp
    : allOp
    | K_OPERATOR OPEN_PAREN anyOperator CLOSE_PAREN
    | K_NOT? (K_LIKE | K_ILIKE)
    ;

subType
    : K_ANY
    | K_SOME
    | K_ALL
    ;

unicodeNormalForm
    : K_NFC
    | K_NFD
    | K_NFKC
    | K_NFKD
    ;

inList
    : selectWithParens
    | OPEN_PAREN exprList CLOSE_PAREN
    ;

exprList
    : expr (COMMA expr)*
    ;

primaryExpr
    : constant                                                           # primConst
    | PARAM indirection?                                                 # primParam
    | K_DEFAULT                                                          # primDefault
    | caseExpr                                                           # primCase
    | funcExpr                                                           # primFunc
    | selectWithParens indirection?                                      # primSubquery
    | K_EXISTS selectWithParens                                          # primExists
    | K_ARRAY (selectWithParens | arrayExpr)                             # primArray
    | K_ROW OPEN_PAREN exprList? CLOSE_PAREN                             # primRow
    | K_GROUPING OPEN_PAREN exprList CLOSE_PAREN                         # primGrouping
    // '(' expr ')' and the implicit row '(' expr ',' ... ')' share one alternative: as two
    // alternatives, predicting between them scanned the whole first expression (SLL lookahead
    // of hundreds of tokens on generated queries). An exprList child marks the implicit row.
    | OPEN_PAREN expr (COMMA exprList CLOSE_PAREN | CLOSE_PAREN indirection?) # primParen
    | columnRef                                                          # primColumn
    ;

columnRef
    : colId indirection?
    ;

indirection
    : indirectionEl+
    ;

indirectionEl
    : DOT (colLabel | STAR)
    | OPEN_BRACKET expr CLOSE_BRACKET
    | OPEN_BRACKET expr? COLON expr? CLOSE_BRACKET
    ;

arrayExpr
    : OPEN_BRACKET (exprList | arrayExpr (COMMA arrayExpr)*)? CLOSE_BRACKET
    ;

caseExpr
    : K_CASE expr? (K_WHEN expr K_THEN expr)+ (K_ELSE expr)? K_END
    ;

// ---------------------------------------------------------------------------------------------
// Function calls.

funcExpr
    : funcApplication withinGroupClause? filterClause? overClause?
    | funcExprCommonSubexpr
    ;

// Function calls allowed where no window may follow (FROM, index expressions).
funcExprWindowless
    : funcApplication
    | funcExprCommonSubexpr
    ;

funcApplication
    : funcName OPEN_PAREN
      ( STAR
      | (K_ALL | K_DISTINCT) funcArgList sortClause?
      // `f(a, b, VARIADIC c)` decided after the list, not by scanning ahead for VARIADIC
      | funcArgList (COMMA K_VARIADIC funcArgExpr)? sortClause?
      | K_VARIADIC funcArgExpr sortClause?
      )?
      CLOSE_PAREN
    ;

funcArgList
    : funcArgExpr (COMMA funcArgExpr)*
    ;

funcArgExpr
    : typeFunctionName (COLON_EQUALS | EQUALS_GREATER) expr
    | expr
    ;

withinGroupClause
    : K_WITHIN K_GROUP OPEN_PAREN sortClause CLOSE_PAREN
    ;

filterClause
    : K_FILTER OPEN_PAREN K_WHERE expr CLOSE_PAREN
    ;

overClause
    : K_OVER (windowSpecification | colId)
    ;

windowSpecification
    : OPEN_PAREN colId? (K_PARTITION K_BY exprList)? sortClause? frameClause? CLOSE_PAREN
    ;

frameClause
    : (K_RANGE | K_ROWS | K_GROUPS) (K_BETWEEN frameBound K_AND frameBound | frameBound)
      (K_EXCLUDE (K_CURRENT K_ROW | K_GROUP | K_TIES | K_NO K_OTHERS))?
    ;

frameBound
    : K_UNBOUNDED (K_PRECEDING | K_FOLLOWING)
    | K_CURRENT K_ROW
    | bExpr (K_PRECEDING | K_FOLLOWING)
    ;

sortClause
    : K_ORDER K_BY sortBy (COMMA sortBy)*
    ;

sortBy
    : expr (K_ASC | K_DESC | K_USING qualAllOp)? (K_NULLS (K_FIRST | K_LAST))?
    ;

// Functions with SQL-standard syntax (PostgreSQL's func_expr_common_subexpr).
funcExprCommonSubexpr
    : K_COLLATION K_FOR OPEN_PAREN expr CLOSE_PAREN                      # specCollationFor
    | K_CURRENT_DATE                                                     # specSqlValue
    | K_CURRENT_TIME (OPEN_PAREN INTEGER CLOSE_PAREN)?                   # specSqlValue
    | K_CURRENT_TIMESTAMP (OPEN_PAREN INTEGER CLOSE_PAREN)?              # specSqlValue
    | K_LOCALTIME (OPEN_PAREN INTEGER CLOSE_PAREN)?                      # specSqlValue
    | K_LOCALTIMESTAMP (OPEN_PAREN INTEGER CLOSE_PAREN)?                 # specSqlValue
    | K_CURRENT_ROLE                                                     # specSqlValue
    | K_CURRENT_USER                                                     # specSqlValue
    | K_SESSION_USER                                                     # specSqlValue
    | K_USER                                                             # specSqlValue
    | K_CURRENT_CATALOG                                                  # specSqlValue
    | K_CURRENT_SCHEMA                                                   # specSqlValue
    | K_CAST OPEN_PAREN expr K_AS typeName CLOSE_PAREN                   # specCast
    | K_EXTRACT OPEN_PAREN (extractArg K_FROM expr)? CLOSE_PAREN         # specExtract
    | K_NORMALIZE OPEN_PAREN expr (COMMA unicodeNormalForm)? CLOSE_PAREN # specNormalize
    | K_OVERLAY OPEN_PAREN (expr K_PLACING expr K_FROM expr (K_FOR expr)? | funcArgList?)
      CLOSE_PAREN                                                        # specOverlay
    | K_POSITION OPEN_PAREN (bExpr K_IN bExpr)? CLOSE_PAREN              # specPosition
    | K_SUBSTRING OPEN_PAREN
      ( expr (K_FROM expr (K_FOR expr)? | K_FOR expr (K_FROM expr)? | K_SIMILAR expr K_ESCAPE expr)
      | funcArgList
      )? CLOSE_PAREN                                                     # specSubstring
    | K_TREAT OPEN_PAREN expr K_AS typeName CLOSE_PAREN                  # specTreat
    | K_TRIM OPEN_PAREN (K_BOTH | K_LEADING | K_TRAILING)?
      (expr? K_FROM exprList | exprList) CLOSE_PAREN                     # specTrim
    | K_NULLIF OPEN_PAREN expr COMMA expr CLOSE_PAREN                    # specNullif
    | K_COALESCE OPEN_PAREN exprList CLOSE_PAREN                         # specCoalesce
    | K_GREATEST OPEN_PAREN exprList CLOSE_PAREN                         # specGreatest
    | K_LEAST OPEN_PAREN exprList CLOSE_PAREN                            # specLeast
    | K_XMLCONCAT OPEN_PAREN exprList CLOSE_PAREN                        # specXml
    | K_XMLELEMENT OPEN_PAREN K_NAME colLabel
      (COMMA (xmlAttributes (COMMA exprList)? | exprList))? CLOSE_PAREN  # specXml
    | K_XMLEXISTS OPEN_PAREN primaryExpr xmlPassing CLOSE_PAREN          # specXml
    | K_XMLFOREST OPEN_PAREN xmlAttributeList CLOSE_PAREN                # specXml
    | K_XMLPARSE OPEN_PAREN (K_DOCUMENT | K_CONTENT) expr
      ((K_PRESERVE | K_STRIP) K_WHITESPACE)? CLOSE_PAREN                 # specXml
    | K_XMLPI OPEN_PAREN K_NAME colLabel (COMMA expr)? CLOSE_PAREN       # specXml
    | K_XMLROOT OPEN_PAREN expr COMMA K_VERSION (expr | K_NO K_VALUE)
      (COMMA K_STANDALONE (K_YES | K_NO | K_NO K_VALUE))? CLOSE_PAREN    # specXml
    | K_XMLSERIALIZE OPEN_PAREN (K_DOCUMENT | K_CONTENT) expr K_AS simpleTypeName
      CLOSE_PAREN                                                        # specXml
    ;

extractArg
    : identifier
    | K_YEAR
    | K_MONTH
    | K_DAY
    | K_HOUR
    | K_MINUTE
    | K_SECOND
    | stringConst
    ;

xmlAttributes
    : K_XMLATTRIBUTES OPEN_PAREN xmlAttributeList CLOSE_PAREN
    ;

xmlAttributeList
    : xmlAttributeEl (COMMA xmlAttributeEl)*
    ;

xmlAttributeEl
    : expr (K_AS colLabel)?
    ;

xmlPassing
    : K_PASSING (K_BY (K_REF | K_VALUE))? primaryExpr (K_BY (K_REF | K_VALUE))?
    ;
