// Data manipulation: SELECT (incl. VALUES, TABLE, SELECT INTO), INSERT, UPDATE, DELETE, MERGE.
parser grammar PgDml;

dmlStatement
    : preparableStmt
    ;

preparableStmt
    : selectStmt
    | insertStmt
    | updateStmt
    | deleteStmt
    | mergeStmt
    ;

// ---------------------------------------------------------------------------------------------
// SELECT

selectStmt
    : withClause? selectClause sortClause? (forLockingClause selectLimit? | selectLimit forLockingClause?)?
    ;

selectWithParens
    : OPEN_PAREN selectStmt CLOSE_PAREN
    ;

// UNION/EXCEPT bind looser than INTERSECT.
selectClause
    : selectIntersect ((K_UNION | K_EXCEPT) setQuantifier? selectIntersect)*
    ;

selectIntersect
    : selectPrimary (K_INTERSECT setQuantifier? selectPrimary)*
    ;

selectPrimary
    : simpleSelect
    | selectWithParens
    ;

setQuantifier
    : K_ALL
    | K_DISTINCT
    ;

simpleSelect
    : K_SELECT (K_ALL | distinctClause)? targetList? intoClause? fromClause? whereClause?
      groupClause? havingClause? windowClause?                           # simpleSelectQuery
    | valuesClause                                                       # simpleSelectValues
    | K_TABLE relationExpr                                               # simpleSelectTable
    ;

distinctClause
    : K_DISTINCT (K_ON OPEN_PAREN exprList CLOSE_PAREN)?
    ;

targetList
    : targetEl (COMMA targetEl)*
    ;

targetEl
    : expr (K_AS colLabel | bareColLabel)?
    | STAR
    ;

intoClause
    : K_INTO optTempTableName
    ;

optTempTableName
    : ((K_LOCAL | K_GLOBAL)? (K_TEMPORARY | K_TEMP) | K_UNLOGGED)? K_TABLE? qualifiedName
    ;

valuesClause
    : K_VALUES valuesRow (COMMA valuesRow)*
    ;

valuesRow
    : OPEN_PAREN exprList CLOSE_PAREN
    ;

withClause
    : K_WITH K_RECURSIVE? commonTableExpr (COMMA commonTableExpr)*
    ;

commonTableExpr
    : name (OPEN_PAREN nameList CLOSE_PAREN)? K_AS (K_NOT? K_MATERIALIZED)?
      OPEN_PAREN preparableStmt CLOSE_PAREN searchClause? cycleClause?
    ;

searchClause
    : K_SEARCH (K_DEPTH | K_BREADTH) K_FIRST K_BY nameList K_SET colId
    ;

cycleClause
    : K_CYCLE nameList K_SET colId (K_TO bExpr K_DEFAULT bExpr)? K_USING colId
    ;

fromClause
    : K_FROM fromList
    ;

fromList
    : tableRef (COMMA tableRef)*
    ;

tableRef
    : tableRef K_CROSS K_JOIN tableRef                                   # tableRefCrossJoin
    | tableRef K_NATURAL joinType? K_JOIN tableRef                       # tableRefNaturalJoin
    | tableRef joinType? K_JOIN tableRef joinQual                        # tableRefJoin
    | relationExpr aliasClause? tablesampleClause?                       # tableRefRelation
    | K_LATERAL? funcTable funcAliasClause?                              # tableRefFunction
    | K_LATERAL? xmlTable aliasClause?                                   # tableRefXmlTable
    | K_LATERAL? selectWithParens aliasClause?                           # tableRefSubquery
    | OPEN_PAREN tableRef CLOSE_PAREN aliasClause?                       # tableRefParen
    ;

joinType
    : (K_FULL | K_LEFT | K_RIGHT) K_OUTER?
    | K_INNER
    ;

joinQual
    : K_USING OPEN_PAREN nameList CLOSE_PAREN (K_AS colId)?
    | K_ON expr
    ;

relationExpr
    : qualifiedName STAR?
    | K_ONLY (qualifiedName | OPEN_PAREN qualifiedName CLOSE_PAREN)
    ;

relationExprOptAlias
    : relationExpr (K_AS? colId)?
    ;

aliasClause
    : K_AS? colId (OPEN_PAREN nameList CLOSE_PAREN)?
    ;

funcAliasClause
    : aliasClause
    | K_AS colId? OPEN_PAREN tableFuncElementList CLOSE_PAREN
    | colId OPEN_PAREN tableFuncElementList CLOSE_PAREN
    ;

tableFuncElementList
    : tableFuncElement (COMMA tableFuncElement)*
    ;

tableFuncElement
    : colId typeName (K_COLLATE anyName)?
    ;

tablesampleClause
    : K_TABLESAMPLE funcName OPEN_PAREN exprList CLOSE_PAREN (K_REPEATABLE OPEN_PAREN expr CLOSE_PAREN)?
    ;

funcTable
    : funcExprWindowless (K_WITH K_ORDINALITY)?
    | K_ROWS K_FROM OPEN_PAREN rowsFromItem (COMMA rowsFromItem)* CLOSE_PAREN (K_WITH K_ORDINALITY)?
    ;

rowsFromItem
    : funcExprWindowless (K_AS OPEN_PAREN tableFuncElementList CLOSE_PAREN)?
    ;

xmlTable
    : K_XMLTABLE OPEN_PAREN
      (K_XMLNAMESPACES OPEN_PAREN xmlAttributeList CLOSE_PAREN COMMA)?
      primaryExpr xmlPassing K_COLUMNS xmlTableColumn (COMMA xmlTableColumn)*
      CLOSE_PAREN
    ;

xmlTableColumn
    : colId (K_FOR K_ORDINALITY | typeName xmlTableColumnOption*)
    ;

xmlTableColumnOption
    : identifier bExpr
    | K_DEFAULT bExpr
    | K_NOT? K_NULL
    ;

whereClause
    : K_WHERE expr
    ;

whereOrCurrentClause
    : K_WHERE (K_CURRENT K_OF colId | expr)
    ;

groupClause
    : K_GROUP K_BY setQuantifier? groupByItem (COMMA groupByItem)*
    ;

groupByItem
    : OPEN_PAREN CLOSE_PAREN
    | (K_CUBE | K_ROLLUP) OPEN_PAREN exprList CLOSE_PAREN
    | K_GROUPING K_SETS OPEN_PAREN groupByItem (COMMA groupByItem)* CLOSE_PAREN
    | expr
    ;

havingClause
    : K_HAVING expr
    ;

windowClause
    : K_WINDOW windowDefinition (COMMA windowDefinition)*
    ;

windowDefinition
    : colId K_AS windowSpecification
    ;

selectLimit
    : limitClause offsetClause?
    | offsetClause limitClause?
    ;

limitClause
    : K_LIMIT (K_ALL | expr)
    | K_FETCH (K_FIRST | K_NEXT) selectFetchValue? (K_ROW | K_ROWS) (K_ONLY | K_WITH K_TIES)
    ;

selectFetchValue
    : signedNumber
    | primaryExpr
    ;

offsetClause
    : K_OFFSET expr (K_ROW | K_ROWS)?
    ;

forLockingClause
    : forLockingItem+
    | K_FOR K_READ K_ONLY
    ;

forLockingItem
    : K_FOR (K_UPDATE | K_NO K_KEY K_UPDATE | K_SHARE | K_KEY K_SHARE)
      (K_OF qualifiedNameList)? (K_NOWAIT | K_SKIP K_LOCKED)?
    ;

// ---------------------------------------------------------------------------------------------
// INSERT

insertStmt
    : withClause? K_INSERT K_INTO insertTarget insertRest onConflict? returningClause?
    ;

insertTarget
    : qualifiedName (K_AS colId)?
    ;

insertRest
    : (OPEN_PAREN insertColumnList CLOSE_PAREN)? (K_OVERRIDING (K_USER | K_SYSTEM) K_VALUE)? selectStmt
    | K_DEFAULT K_VALUES
    ;

insertColumnList
    : insertColumnItem (COMMA insertColumnItem)*
    ;

insertColumnItem
    : colId indirection?
    ;

onConflict
    : K_ON K_CONFLICT conflictTarget? K_DO (K_NOTHING | K_UPDATE K_SET setClauseList whereClause?)
    ;

conflictTarget
    : OPEN_PAREN indexParams CLOSE_PAREN whereClause?
    | K_ON K_CONSTRAINT name
    ;

// Index elements (also used by CREATE INDEX).
indexParams
    : indexElem (COMMA indexElem)*
    ;

indexElem
    : (colId | funcExprWindowless | OPEN_PAREN expr CLOSE_PAREN) (K_COLLATE anyName)? anyName?
      (K_ASC | K_DESC)? (K_NULLS (K_FIRST | K_LAST))?
    ;

returningClause
    : K_RETURNING targetList
    ;

// ---------------------------------------------------------------------------------------------
// UPDATE / DELETE / MERGE

updateStmt
    : withClause? K_UPDATE relationExprOptAlias K_SET setClauseList fromClause?
      whereOrCurrentClause? returningClause?
    ;

setClauseList
    : setClause (COMMA setClause)*
    ;

setClause
    : setTarget EQUAL expr
    | OPEN_PAREN setTarget (COMMA setTarget)* CLOSE_PAREN EQUAL expr
    ;

setTarget
    : colId indirection?
    ;

deleteStmt
    : withClause? K_DELETE K_FROM relationExprOptAlias (K_USING fromList)?
      whereOrCurrentClause? returningClause?
    ;

mergeStmt
    : withClause? K_MERGE K_INTO relationExprOptAlias K_USING tableRef K_ON expr mergeWhenClause+
    ;

mergeWhenClause
    : K_WHEN K_MATCHED (K_AND expr)? K_THEN (mergeUpdate | mergeDelete | K_DO K_NOTHING)
    | K_WHEN K_NOT K_MATCHED (K_AND expr)? K_THEN (mergeInsert | K_DO K_NOTHING)
    ;

mergeUpdate
    : K_UPDATE K_SET setClauseList
    ;

mergeDelete
    : K_DELETE
    ;

mergeInsert
    : K_INSERT (OPEN_PAREN insertColumnList CLOSE_PAREN)? (K_OVERRIDING (K_USER | K_SYSTEM) K_VALUE)?
      (K_VALUES valuesRow | K_DEFAULT K_VALUES)
    ;
