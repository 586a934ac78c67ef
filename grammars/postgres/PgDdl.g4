// PostgreSQL DDL: CREATE / ALTER / DROP of tables, indexes, views, materialized views, schemas,
// databases, functions, sequences, triggers, extensions, types, domains, policies, rules,
// tablespaces; TRUNCATE; COMMENT ON; DROP OWNED / REASSIGN OWNED. Written for Warden from
// PostgreSQL 15's documented syntax. Statements outside these rules do not parse (the analyzer
// then reports kind `unparsed`). Helper rules shared with PgDcl/PgTcl/PgUtility live at the end
// of this file.
parser grammar PgDdl;

ddlStatement
    : createTableStmt
    | createForeignTableStmt
    | alterTableStmt
    | truncateStmt
    | createIndexStmt
    | alterIndexStmt
    | createViewStmt
    | alterViewStmt
    | createMatViewStmt
    | alterMatViewStmt
    | refreshMatViewStmt
    | createSchemaStmt
    | alterSchemaStmt
    | createDatabaseStmt
    | alterDatabaseStmt
    | dropDatabaseStmt
    | createFunctionStmt
    | alterFunctionStmt
    | createSequenceStmt
    | alterSequenceStmt
    | createTriggerStmt
    | createEventTriggerStmt
    | createExtensionStmt
    | alterExtensionStmt
    | createTypeStmt
    | alterTypeStmt
    | createDomainStmt
    | alterDomainStmt
    | createPolicyStmt
    | alterPolicyStmt
    | createRuleStmt
    | createTablespaceStmt
    | createAggregateStmt
    | createOtherStmt
    | alterTriggerStmt
    | alterGenericStmt
    | commentStmt
    | dropStmt
    | dropOnTableStmt
    | dropFunctionStmt
    | dropOtherStmt
    | dropOwnedStmt
    | reassignOwnedStmt
    ;

// ---- CREATE TABLE -------------------------------------------------------------------------

createTableStmt
    : K_CREATE tableTempOption? K_TABLE ifNotExists? qualifiedName createTableBody
    ;

createTableBody
    : OPEN_PAREN (tableElement (COMMA tableElement)*)? CLOSE_PAREN inheritsClause?
      partitionSpec? tableTail                                                      # ctRegular
    | K_OF anyName (OPEN_PAREN typedTableElement (COMMA typedTableElement)* CLOSE_PAREN)?
      partitionSpec? tableTail                                                      # ctTyped
    | K_PARTITION K_OF qualifiedName
      (OPEN_PAREN typedTableElement (COMMA typedTableElement)* CLOSE_PAREN)?
      partitionBound partitionSpec? tableTail                                       # ctPartition
    | (OPEN_PAREN nameList CLOSE_PAREN)? tableTail K_AS ctasQuery
      (K_WITH K_NO? K_DATA)?                                                        # ctAs
    ;

ctasQuery
    : selectStmt
    | executeStmt
    ;

tableTail
    : (K_USING name)? (K_WITH relOptions | K_WITHOUT K_OIDS)?
      (K_ON K_COMMIT (K_DROP | K_DELETE K_ROWS | K_PRESERVE K_ROWS))? (K_TABLESPACE name)?
    ;

tableTempOption
    : K_TEMPORARY
    | K_TEMP
    | (K_LOCAL | K_GLOBAL) (K_TEMPORARY | K_TEMP)
    | K_UNLOGGED
    ;

inheritsClause
    : K_INHERITS OPEN_PAREN qualifiedNameList CLOSE_PAREN
    ;

tableElement
    : tableConstraint
    | K_LIKE qualifiedName tableLikeOption*
    | columnDef
    ;

tableLikeOption
    : (K_INCLUDING | K_EXCLUDING)
      (K_COMMENTS | K_COMPRESSION | K_CONSTRAINTS | K_DEFAULTS | K_IDENTITY | K_GENERATED
       | K_INDEXES | K_STATISTICS | K_STORAGE | K_ALL)
    ;

typedTableElement
    : tableConstraint
    | colId (K_WITH K_OPTIONS)? columnConstraint*
    ;

columnDef
    : colId typeName (K_STORAGE colId)? (K_COMPRESSION colId)? columnConstraint*
    ;

columnConstraint
    : (K_CONSTRAINT name)? columnConstraintElem
    | constraintAttr
    | K_COLLATE anyName
    ;

columnConstraintElem
    : K_NOT K_NULL
    | K_NULL
    | K_UNIQUE nullsDistinct? constraintIndexParams
    | K_PRIMARY K_KEY constraintIndexParams
    | K_CHECK OPEN_PAREN expr CLOSE_PAREN (K_NO K_INHERIT)?
    | K_DEFAULT expr
    | K_GENERATED identityKind K_AS K_IDENTITY (OPEN_PAREN sequenceOption+ CLOSE_PAREN)?
    | K_GENERATED K_ALWAYS K_AS OPEN_PAREN expr CLOSE_PAREN K_STORED
    | referencesClause
    ;

identityKind
    : K_ALWAYS
    | K_BY K_DEFAULT
    ;

referencesClause
    : K_REFERENCES qualifiedName (OPEN_PAREN nameList CLOSE_PAREN)?
      (K_MATCH (K_FULL | K_PARTIAL | K_SIMPLE))? referentialAction*
    ;

referentialAction
    : K_ON (K_DELETE | K_UPDATE)
      (K_NO K_ACTION | K_RESTRICT | K_CASCADE
       | K_SET (K_NULL | K_DEFAULT) (OPEN_PAREN nameList CLOSE_PAREN)?)
    ;

nullsDistinct
    : K_NULLS K_NOT? K_DISTINCT
    ;

// INCLUDE / WITH / USING INDEX TABLESPACE after UNIQUE and PRIMARY KEY (each optional).
constraintIndexParams
    : (K_INCLUDE OPEN_PAREN nameList CLOSE_PAREN)? (K_WITH relOptions)?
      (K_USING K_INDEX K_TABLESPACE name)?
    ;

constraintAttr
    : K_NOT? K_DEFERRABLE
    | K_INITIALLY (K_DEFERRED | K_IMMEDIATE)
    | K_NOT K_VALID
    | K_NO K_INHERIT
    ;

tableConstraint
    : (K_CONSTRAINT name)? tableConstraintElem constraintAttr*
    ;

tableConstraintElem
    : K_CHECK OPEN_PAREN expr CLOSE_PAREN
    | K_UNIQUE nullsDistinct? OPEN_PAREN nameList CLOSE_PAREN constraintIndexParams
    | K_UNIQUE K_USING K_INDEX name
    | K_PRIMARY K_KEY OPEN_PAREN nameList CLOSE_PAREN constraintIndexParams
    | K_PRIMARY K_KEY K_USING K_INDEX name
    | K_EXCLUDE (K_USING name)? OPEN_PAREN exclusionElem (COMMA exclusionElem)* CLOSE_PAREN
      constraintIndexParams (K_WHERE OPEN_PAREN expr CLOSE_PAREN)?
    | K_FOREIGN K_KEY OPEN_PAREN nameList CLOSE_PAREN referencesClause
    ;

exclusionElem
    : indexElem K_WITH (ddlOperator | K_OPERATOR OPEN_PAREN (colId DOT)* ddlOperator CLOSE_PAREN)
    ;

partitionSpec
    : K_PARTITION K_BY colId OPEN_PAREN partitionElem (COMMA partitionElem)* CLOSE_PAREN
    ;

partitionElem
    : expr (K_COLLATE anyName)? anyName?
    ;

partitionBound
    : K_FOR K_VALUES K_IN OPEN_PAREN exprList CLOSE_PAREN
    | K_FOR K_VALUES K_FROM OPEN_PAREN exprList CLOSE_PAREN K_TO OPEN_PAREN exprList CLOSE_PAREN
    | K_FOR K_VALUES K_WITH OPEN_PAREN colId INTEGER COMMA colId INTEGER CLOSE_PAREN
    | K_DEFAULT
    ;

createForeignTableStmt
    : K_CREATE K_FOREIGN K_TABLE ifNotExists? qualifiedName
      ( OPEN_PAREN (tableElement (COMMA tableElement)*)? CLOSE_PAREN inheritsClause?
      | K_PARTITION K_OF qualifiedName
        (OPEN_PAREN typedTableElement (COMMA typedTableElement)* CLOSE_PAREN)? partitionBound
      )
      K_SERVER name genericOptions?
    ;

genericOptions
    : K_OPTIONS OPEN_PAREN genericOption (COMMA genericOption)* CLOSE_PAREN
    ;

genericOption
    : (K_ADD | K_SET | K_DROP)? colLabel stringConst?
    ;

// ---- ALTER TABLE / TRUNCATE ---------------------------------------------------------------

alterTableStmt
    : K_ALTER K_FOREIGN? K_TABLE ifExists? K_ONLY? qualifiedName STAR? alterTableTail
    | K_ALTER K_TABLE K_ALL K_IN K_TABLESPACE name (K_OWNED K_BY roleList)?
      K_SET K_TABLESPACE name K_NOWAIT?
    ;

alterTableTail
    : K_RENAME K_TO name                                             # atRenameTable
    | K_RENAME K_COLUMN? colId K_TO colId                            # atRenameColumn
    | K_RENAME K_CONSTRAINT name K_TO name                           # atRenameConstraint
    | K_SET K_SCHEMA name                                            # atSetSchema
    | K_ATTACH K_PARTITION qualifiedName partitionBound              # atAttachPartition
    | K_DETACH K_PARTITION qualifiedName (K_CONCURRENTLY | K_FINALIZE)?  # atDetachPartition
    | alterTableCmd (COMMA alterTableCmd)*                           # atCommands
    ;

alterTableCmd
    : K_ADD K_COLUMN? ifNotExists? columnDef
    | K_ADD tableConstraint
    | K_ADD K_CONSTRAINT? name K_USING K_INDEX name constraintAttr*
    | K_DROP K_COLUMN? ifExists? colId dropBehavior?
    | K_DROP K_CONSTRAINT ifExists? name dropBehavior?
    | K_ALTER K_COLUMN? colId alterColumnAction
    | K_ALTER K_CONSTRAINT name constraintAttr*
    | K_VALIDATE K_CONSTRAINT name
    | K_CLUSTER K_ON name
    | K_SET K_WITHOUT (K_CLUSTER | K_OIDS)
    | K_SET K_ACCESS K_METHOD name
    | K_SET K_TABLESPACE name
    | K_SET (K_LOGGED | K_UNLOGGED)
    | K_SET relOptions
    | K_RESET relOptions
    | (K_ENABLE (K_REPLICA | K_ALWAYS)? | K_DISABLE) K_TRIGGER (K_ALL | K_USER | name)
    | (K_ENABLE (K_REPLICA | K_ALWAYS)? | K_DISABLE) K_RULE name
    | (K_ENABLE | K_DISABLE | K_NO? K_FORCE) K_ROW K_LEVEL K_SECURITY
    | K_NO? K_INHERIT qualifiedName
    | K_OF anyName
    | K_NOT K_OF
    | K_OWNER K_TO roleSpec
    | K_REPLICA K_IDENTITY (K_DEFAULT | K_FULL | K_NOTHING | K_USING K_INDEX name)
    | genericOptions
    ;

alterColumnAction
    : (K_SET K_DATA)? K_TYPE typeName (K_COLLATE anyName)? (K_USING expr)?
    | K_SET K_DEFAULT expr
    | K_DROP K_DEFAULT
    | (K_SET | K_DROP) K_NOT K_NULL
    | K_DROP K_EXPRESSION ifExists?
    | K_ADD K_GENERATED identityKind K_AS K_IDENTITY (OPEN_PAREN sequenceOption+ CLOSE_PAREN)?
    | (K_SET K_GENERATED identityKind | K_SET sequenceOption | K_RESTART (K_WITH? signedNumber)?)+
    | K_DROP K_IDENTITY ifExists?
    | K_SET K_STATISTICS signedNumber
    | K_SET relOptions
    | K_RESET relOptions
    | K_SET K_STORAGE colId
    | K_SET K_COMPRESSION colId
    | genericOptions
    ;

truncateStmt
    : K_TRUNCATE K_TABLE? truncateTarget (COMMA truncateTarget)*
      ((K_RESTART | K_CONTINUE) K_IDENTITY)? dropBehavior?
    ;

truncateTarget
    : K_ONLY? qualifiedName STAR?
    ;

// ---- INDEX --------------------------------------------------------------------------------

createIndexStmt
    : K_CREATE K_UNIQUE? K_INDEX K_CONCURRENTLY? (ifNotExists? name)? K_ON K_ONLY? qualifiedName
      (K_USING name)? OPEN_PAREN indexElem (COMMA indexElem)* CLOSE_PAREN
      (K_INCLUDE OPEN_PAREN nameList CLOSE_PAREN)? nullsDistinct? (K_WITH relOptions)?
      (K_TABLESPACE name)? (K_WHERE expr)?
    ;

alterIndexStmt
    : K_ALTER K_INDEX ifExists? qualifiedName alterIndexAction
    | K_ALTER K_INDEX K_ALL K_IN K_TABLESPACE name (K_OWNED K_BY roleList)?
      K_SET K_TABLESPACE name K_NOWAIT?
    ;

alterIndexAction
    : K_RENAME K_TO name
    | K_SET K_TABLESPACE name
    | K_SET relOptions
    | K_RESET relOptions
    | K_ATTACH K_PARTITION qualifiedName
    | K_NO? K_DEPENDS K_ON K_EXTENSION name
    | K_ALTER K_COLUMN? signedNumber K_SET K_STATISTICS signedNumber
    | K_SET K_SCHEMA name
    ;

// ---- VIEW / MATERIALIZED VIEW -------------------------------------------------------------

createViewStmt
    : K_CREATE (K_OR K_REPLACE)? tableTempOption? K_RECURSIVE? K_VIEW qualifiedName
      (OPEN_PAREN nameList CLOSE_PAREN)? (K_WITH relOptions)? K_AS selectStmt
      (K_WITH (K_CASCADED | K_LOCAL)? K_CHECK K_OPTION)?
    ;

alterViewStmt
    : K_ALTER K_VIEW ifExists? qualifiedName alterViewAction
    ;

alterViewAction
    : K_ALTER K_COLUMN? colId (K_SET K_DEFAULT expr | K_DROP K_DEFAULT)
    | K_OWNER K_TO roleSpec
    | K_RENAME K_COLUMN? colId K_TO colId
    | K_RENAME K_TO name
    | K_SET K_SCHEMA name
    | K_SET relOptions
    | K_RESET relOptions
    ;

createMatViewStmt
    : K_CREATE K_UNLOGGED? K_MATERIALIZED K_VIEW ifNotExists? qualifiedName
      (OPEN_PAREN nameList CLOSE_PAREN)? (K_USING name)? (K_WITH relOptions)?
      (K_TABLESPACE name)? K_AS selectStmt (K_WITH K_NO? K_DATA)?
    ;

alterMatViewStmt
    : K_ALTER K_MATERIALIZED K_VIEW ifExists? qualifiedName alterTableTail
    | K_ALTER K_MATERIALIZED K_VIEW qualifiedName K_NO? K_DEPENDS K_ON K_EXTENSION name
    | K_ALTER K_MATERIALIZED K_VIEW K_ALL K_IN K_TABLESPACE name (K_OWNED K_BY roleList)?
      K_SET K_TABLESPACE name K_NOWAIT?
    ;

refreshMatViewStmt
    : K_REFRESH K_MATERIALIZED K_VIEW K_CONCURRENTLY? qualifiedName (K_WITH K_NO? K_DATA)?
    ;

// ---- SCHEMA / DATABASE --------------------------------------------------------------------

createSchemaStmt
    : K_CREATE K_SCHEMA ifNotExists? (name? K_AUTHORIZATION roleSpec | name) schemaElement*
    ;

schemaElement
    : createTableStmt
    | createViewStmt
    | createIndexStmt
    | createSequenceStmt
    | createTriggerStmt
    | grantStmt
    ;

alterSchemaStmt
    : K_ALTER K_SCHEMA name (K_RENAME K_TO name | K_OWNER K_TO roleSpec)
    ;

createDatabaseStmt
    : K_CREATE K_DATABASE name K_WITH? createdbOption*
    ;

createdbOption
    : (K_CONNECTION K_LIMIT | nonReservedWord) EQUAL? (varValue | K_DEFAULT)
    ;

alterDatabaseStmt
    : K_ALTER K_DATABASE name
      ( K_RENAME K_TO name
      | K_OWNER K_TO roleSpec
      | K_SET K_TABLESPACE name
      | K_REFRESH K_COLLATION K_VERSION
      | K_SET setRest
      | resetRest
      | K_WITH? createdbOption+
      )
    ;

dropDatabaseStmt
    : K_DROP K_DATABASE ifExists? name
      (K_WITH? OPEN_PAREN colId (COMMA colId)* CLOSE_PAREN)?
    ;

// ---- FUNCTION / PROCEDURE -----------------------------------------------------------------

createFunctionStmt
    : K_CREATE (K_OR K_REPLACE)? (K_FUNCTION | K_PROCEDURE) qualifiedName
      OPEN_PAREN (funcParam (COMMA funcParam)*)? CLOSE_PAREN
      (K_RETURNS (funcType | K_TABLE OPEN_PAREN tableFuncColumn (COMMA tableFuncColumn)*
        CLOSE_PAREN))?
      createFuncOption* routineBody?
    ;

funcParam
    : funcArgMode typeFunctionName? funcType funcParamDefault?
    | typeFunctionName funcArgMode? funcType funcParamDefault?
    | funcType funcParamDefault?
    ;

funcParamDefault
    : (K_DEFAULT | EQUAL) expr
    ;

funcArgMode
    : K_IN K_OUT?
    | K_OUT
    | K_INOUT
    | K_VARIADIC
    ;

funcType
    : typeName
    | K_SETOF? typeFunctionName (DOT colLabel)+ PERCENT K_TYPE
    ;

tableFuncColumn
    : typeFunctionName funcType
    ;

createFuncOption
    : K_AS stringConst (COMMA stringConst)?
    | K_LANGUAGE (colId | typeFuncNameKeyword | stringConst)
    | K_TRANSFORM K_FOR K_TYPE typeName (COMMA K_FOR K_TYPE typeName)*
    | K_WINDOW
    | commonFuncOption
    ;

commonFuncOption
    : K_IMMUTABLE
    | K_STABLE
    | K_VOLATILE
    | K_NOT? K_LEAKPROOF
    | K_CALLED K_ON K_NULL K_INPUT
    | K_RETURNS K_NULL K_ON K_NULL K_INPUT
    | K_STRICT
    | K_EXTERNAL? K_SECURITY (K_INVOKER | K_DEFINER)
    | K_PARALLEL colId
    | K_COST signedNumber
    | K_ROWS signedNumber
    | K_SUPPORT qualifiedName
    | K_SET setRest
    | resetRest
    ;

// SQL-standard bodies: RETURN expr, BEGIN ATOMIC stmt; ... END.
routineBody
    : K_RETURN expr
    | K_BEGIN K_ATOMIC (preparableStmt? SEMI)* K_END
    ;

alterFunctionStmt
    : K_ALTER (K_FUNCTION | K_PROCEDURE | K_ROUTINE | K_AGGREGATE) funcWithArgs
      ( commonFuncOption+ K_RESTRICT?
      | K_RENAME K_TO name
      | K_OWNER K_TO roleSpec
      | K_SET K_SCHEMA name
      | K_NO? K_DEPENDS K_ON K_EXTENSION name
      )
    ;

funcWithArgs
    : qualifiedName (OPEN_PAREN (STAR | funcParam (COMMA funcParam)*
                                 (K_ORDER K_BY funcParam (COMMA funcParam)*)?)? CLOSE_PAREN)?
    ;

dropFunctionStmt
    : K_DROP (K_FUNCTION | K_PROCEDURE | K_ROUTINE | K_AGGREGATE) ifExists? funcWithArgs
      (COMMA funcWithArgs)* dropBehavior?
    ;

// ---- SEQUENCE -----------------------------------------------------------------------------

createSequenceStmt
    : K_CREATE tableTempOption? K_SEQUENCE ifNotExists? qualifiedName sequenceOption*
    ;

sequenceOption
    : K_AS typeName
    | K_INCREMENT K_BY? signedNumber
    | K_MINVALUE signedNumber
    | K_MAXVALUE signedNumber
    | K_NO (K_MINVALUE | K_MAXVALUE | K_CYCLE)
    | K_START K_WITH? signedNumber
    | K_RESTART (K_WITH? signedNumber)?
    | K_CACHE signedNumber
    | K_CYCLE
    | K_OWNED K_BY anyName
    | K_SEQUENCE K_NAME anyName
    ;

alterSequenceStmt
    : K_ALTER K_SEQUENCE ifExists? qualifiedName
      ( sequenceOption+
      | K_OWNER K_TO roleSpec
      | K_RENAME K_TO name
      | K_SET K_SCHEMA name
      | K_SET (K_LOGGED | K_UNLOGGED)
      )
    ;

// ---- TRIGGER / EVENT TRIGGER --------------------------------------------------------------

createTriggerStmt
    : K_CREATE (K_OR K_REPLACE)? K_CONSTRAINT? K_TRIGGER name
      (K_BEFORE | K_AFTER | K_INSTEAD K_OF) triggerEvent (K_OR triggerEvent)*
      K_ON qualifiedName (K_FROM qualifiedName)? constraintAttr*
      (K_REFERENCING ((K_OLD | K_NEW) (K_TABLE | K_ROW) K_AS? colId)+)?
      (K_FOR K_EACH? (K_ROW | K_STATEMENT))? (K_WHEN OPEN_PAREN expr CLOSE_PAREN)?
      K_EXECUTE (K_FUNCTION | K_PROCEDURE) qualifiedName
      OPEN_PAREN (triggerArg (COMMA triggerArg)*)? CLOSE_PAREN
    ;

triggerEvent
    : K_INSERT
    | K_DELETE
    | K_TRUNCATE
    | K_UPDATE (K_OF nameList)?
    ;

triggerArg
    : signedNumber
    | stringConst
    | colLabel
    ;

createEventTriggerStmt
    : K_CREATE K_EVENT K_TRIGGER name K_ON colLabel
      (K_WHEN colLabel K_IN OPEN_PAREN stringConst (COMMA stringConst)* CLOSE_PAREN
        (K_AND colLabel K_IN OPEN_PAREN stringConst (COMMA stringConst)* CLOSE_PAREN)*)?
      K_EXECUTE (K_FUNCTION | K_PROCEDURE) qualifiedName OPEN_PAREN CLOSE_PAREN
    ;

// ---- EXTENSION ----------------------------------------------------------------------------

createExtensionStmt
    : K_CREATE K_EXTENSION ifNotExists? name K_WITH?
      (K_SCHEMA name | K_VERSION (colId | stringConst) | K_CASCADE)*
    ;

alterExtensionStmt
    : K_ALTER K_EXTENSION name
      ( K_UPDATE (K_TO (colId | stringConst))?
      | K_SET K_SCHEMA name
      | (K_ADD | K_DROP) objectTarget
      )
    ;

// ---- TYPE / DOMAIN ------------------------------------------------------------------------

createTypeStmt
    : K_CREATE K_TYPE anyName
      ( K_AS K_ENUM OPEN_PAREN (stringConst (COMMA stringConst)*)? CLOSE_PAREN
      | K_AS K_RANGE definition
      | K_AS OPEN_PAREN (typeAttribute (COMMA typeAttribute)*)? CLOSE_PAREN
      | definition
      )?
    ;

typeAttribute
    : colId typeName (K_COLLATE anyName)?
    ;

// ( name [= value], ... ) as in CREATE TYPE / CREATE AGGREGATE / ALTER TYPE SET.
definition
    : OPEN_PAREN defElem (COMMA defElem)* CLOSE_PAREN
    ;

defElem
    : colLabel (EQUAL defArg)?
    ;

defArg
    : signedNumber
    | stringConst
    | ddlOperator
    | funcType
    | reservedKeyword
    | K_NONE
    ;

alterTypeStmt
    : K_ALTER K_TYPE anyName
      ( K_ADD K_VALUE ifNotExists? stringConst ((K_BEFORE | K_AFTER) stringConst)?
      | K_RENAME K_VALUE stringConst K_TO stringConst
      | K_RENAME K_TO name
      | K_RENAME K_ATTRIBUTE colId K_TO colId dropBehavior?
      | K_OWNER K_TO roleSpec
      | K_SET K_SCHEMA name
      | K_SET definition
      | alterTypeAttrCmd (COMMA alterTypeAttrCmd)*
      )
    ;

alterTypeAttrCmd
    : K_ADD K_ATTRIBUTE typeAttribute dropBehavior?
    | K_DROP K_ATTRIBUTE ifExists? colId dropBehavior?
    | K_ALTER K_ATTRIBUTE colId (K_SET K_DATA)? K_TYPE typeName (K_COLLATE anyName)?
      dropBehavior?
    ;

createDomainStmt
    : K_CREATE K_DOMAIN anyName K_AS? typeName domainConstraint*
    ;

domainConstraint
    : (K_CONSTRAINT name)? (K_NOT K_NULL | K_NULL | K_CHECK OPEN_PAREN expr CLOSE_PAREN)
      constraintAttr*
    | K_DEFAULT expr
    | K_COLLATE anyName
    ;

alterDomainStmt
    : K_ALTER K_DOMAIN anyName
      ( K_SET K_DEFAULT expr
      | K_DROP K_DEFAULT
      | (K_SET | K_DROP) K_NOT K_NULL
      | K_ADD tableConstraint
      | K_DROP K_CONSTRAINT ifExists? name dropBehavior?
      | K_RENAME K_CONSTRAINT name K_TO name
      | K_VALIDATE K_CONSTRAINT name
      | K_OWNER K_TO roleSpec
      | K_RENAME K_TO name
      | K_SET K_SCHEMA name
      )
    ;

// ---- POLICY / RULE ------------------------------------------------------------------------

createPolicyStmt
    : K_CREATE K_POLICY name K_ON qualifiedName (K_AS colId)?
      (K_FOR (K_ALL | K_SELECT | K_INSERT | K_UPDATE | K_DELETE))? (K_TO roleList)?
      (K_USING OPEN_PAREN expr CLOSE_PAREN)? (K_WITH K_CHECK OPEN_PAREN expr CLOSE_PAREN)?
    ;

alterPolicyStmt
    : K_ALTER K_POLICY name K_ON qualifiedName
      ( K_RENAME K_TO name
      | (K_TO roleList)? (K_USING OPEN_PAREN expr CLOSE_PAREN)?
        (K_WITH K_CHECK OPEN_PAREN expr CLOSE_PAREN)?
      )
    ;

createRuleStmt
    : K_CREATE (K_OR K_REPLACE)? K_RULE name K_AS K_ON
      (K_SELECT | K_INSERT | K_UPDATE | K_DELETE) K_TO qualifiedName (K_WHERE expr)?
      K_DO (K_ALSO | K_INSTEAD)?
      ( K_NOTHING
      | ruleAction
      | OPEN_PAREN ruleAction? (SEMI ruleAction?)* CLOSE_PAREN
      )
    ;

ruleAction
    : preparableStmt
    | notifyStmt
    ;

// DROP TRIGGER / POLICY / RULE name ON table
dropOnTableStmt
    : K_DROP (K_TRIGGER | K_POLICY | K_RULE) ifExists? name K_ON qualifiedName dropBehavior?
    ;

// ---- TABLESPACE / generic ALTER -----------------------------------------------------------

createTablespaceStmt
    : K_CREATE K_TABLESPACE name (K_OWNER roleSpec)? K_LOCATION stringConst
      (K_WITH relOptions)?
    ;

createAggregateStmt
    : K_CREATE (K_OR K_REPLACE)? K_AGGREGATE funcWithArgs definition
    ;

// CREATE of other object kinds (kind create_other).
createOtherStmt
    : K_CREATE K_CAST OPEN_PAREN typeName K_AS typeName CLOSE_PAREN
      (K_WITH K_FUNCTION funcWithArgs | K_WITHOUT K_FUNCTION | K_WITH K_INOUT)
      (K_AS (K_ASSIGNMENT | K_IMPLICIT))?                                      # coCast
    | K_CREATE K_COLLATION ifNotExists? anyName (definition | K_FROM anyName)  # coCollation
    | K_CREATE K_OPERATOR (colId DOT)* ddlOperator definition                 # coOperator
    | K_CREATE K_SERVER ifNotExists? name (K_TYPE stringConst)?
      (K_VERSION stringConst)? K_FOREIGN K_DATA K_WRAPPER name genericOptions?  # coServer
    | K_CREATE K_USER K_MAPPING ifNotExists? K_FOR (roleSpec | K_USER) K_SERVER name
      genericOptions?                                                          # coUserMapping
    | K_IMPORT K_FOREIGN K_SCHEMA name
      ((K_LIMIT K_TO | K_EXCEPT) OPEN_PAREN qualifiedNameList CLOSE_PAREN)?
      K_FROM K_SERVER name K_INTO name genericOptions?                         # coImportSchema
    | K_CREATE K_PUBLICATION name
      (K_FOR (K_ALL K_TABLES | publicationObject (COMMA publicationObject)*))?
      (K_WITH relOptions)?                                                     # coPublication
    | K_CREATE K_SUBSCRIPTION name K_CONNECTION stringConst K_PUBLICATION nameList
      (K_WITH relOptions)?                                                     # coSubscription
    | K_CREATE K_STATISTICS ifNotExists? anyName? (OPEN_PAREN nameList CLOSE_PAREN)?
      K_ON exprList K_FROM qualifiedName                                       # coStatistics
    | K_CREATE (K_OR K_REPLACE)? K_TRUSTED? K_PROCEDURAL? K_LANGUAGE name
      (K_HANDLER anyName (K_INLINE anyName)? (K_VALIDATOR anyName | K_NO K_VALIDATOR)?)?  # coLanguage
    | K_CREATE K_TEXT K_SEARCH (K_PARSER | K_DICTIONARY | K_TEMPLATE | K_CONFIGURATION)
      anyName definition                                                       # coTextSearch
    | K_CREATE K_DEFAULT? K_CONVERSION anyName K_FOR stringConst K_TO stringConst
      K_FROM anyName                                                           # coConversion
    | K_CREATE K_ACCESS K_METHOD name K_TYPE (K_INDEX | K_TABLE) K_HANDLER anyName  # coAccessMethod
    | K_CREATE K_FOREIGN K_DATA K_WRAPPER name
      (K_HANDLER anyName | K_NO K_HANDLER | K_VALIDATOR anyName | K_NO K_VALIDATOR)*
      genericOptions?                                                          # coFdw
    ;

// A publication's member: [TABLE] t [(cols)] [WHERE (expr)] or TABLES IN SCHEMA s.
publicationObject
    : K_TABLE? K_ONLY? qualifiedName STAR? (OPEN_PAREN nameList CLOSE_PAREN)?
      (K_WHERE OPEN_PAREN expr CLOSE_PAREN)?
    | K_TABLES K_IN K_SCHEMA (colId | K_CURRENT_SCHEMA)
    ;

alterTriggerStmt
    : K_ALTER K_TRIGGER name K_ON qualifiedName
      (K_RENAME K_TO name | K_NO? K_DEPENDS K_ON K_EXTENSION name)
    ;

// DROP of object kinds named by something other than a plain name (kind drop_other).
dropOtherStmt
    : K_DROP K_CAST ifExists? OPEN_PAREN typeName K_AS typeName CLOSE_PAREN dropBehavior?
    | K_DROP K_OPERATOR ifExists? operatorWithArgs (COMMA operatorWithArgs)* dropBehavior?
    | K_DROP K_OPERATOR (K_CLASS | K_FAMILY) ifExists? anyName K_USING name dropBehavior?
    | K_DROP K_USER K_MAPPING ifExists? K_FOR (roleSpec | K_USER) K_SERVER name
    | K_DROP K_TRANSFORM ifExists? K_FOR typeName K_LANGUAGE name dropBehavior?
    ;

operatorWithArgs
    : (colId DOT)* ddlOperator OPEN_PAREN (typeName | K_NONE) COMMA (typeName | K_NONE)
      CLOSE_PAREN
    ;

// ALTER of other object kinds: rename, owner, schema, options.
alterGenericStmt
    : K_ALTER (genericObjectKind | K_TABLESPACE) anyName
      ( K_RENAME K_TO name
      | K_OWNER K_TO roleSpec
      | K_SET K_SCHEMA name
      | K_SET relOptions
      | K_RESET relOptions
      | genericOptions
      | K_ENABLE (K_REPLICA | K_ALWAYS)?
      | K_DISABLE
      | (K_ADD | K_SET | K_DROP) publicationObject (COMMA publicationObject)*
      )
    ;

genericObjectKind
    : K_COLLATION
    | K_CONVERSION
    | K_PROCEDURAL? K_LANGUAGE
    | K_PUBLICATION
    | K_SUBSCRIPTION
    | K_SERVER
    | K_FOREIGN K_DATA K_WRAPPER
    | K_EVENT K_TRIGGER
    | K_STATISTICS
    | K_TEXT K_SEARCH (K_PARSER | K_DICTIONARY | K_TEMPLATE | K_CONFIGURATION)
    ;

// ---- COMMENT ON ---------------------------------------------------------------------------

commentStmt
    : K_COMMENT K_ON objectTarget K_IS (stringConst | K_NULL)
    ;

// An object named by kind, as in COMMENT ON / SECURITY LABEL ON / ALTER EXTENSION ADD.
objectTarget
    : K_TABLE qualifiedName                                              # otTable
    | K_FOREIGN K_TABLE qualifiedName                                    # otTable
    | K_VIEW qualifiedName                                               # otView
    | K_MATERIALIZED K_VIEW qualifiedName                                # otView
    | K_INDEX qualifiedName                                              # otIndex
    | K_SEQUENCE qualifiedName                                           # otSequence
    | K_COLUMN anyName                                                   # otColumn
    | K_SCHEMA name                                                      # otSchema
    | K_DATABASE name                                                    # otDatabase
    | K_ROLE roleSpec                                                    # otRole
    | (K_FUNCTION | K_PROCEDURE | K_ROUTINE | K_AGGREGATE) funcWithArgs  # otFunction
    | (K_TYPE | K_DOMAIN) typeName                                       # otType
    | (K_CONSTRAINT | K_TRIGGER | K_POLICY | K_RULE) name K_ON K_DOMAIN? qualifiedName  # otOnTable
    | (K_EXTENSION | K_ACCESS K_METHOD | K_TABLESPACE | genericObjectKind) anyName  # otOther
    | K_LARGE K_OBJECT signedNumber                                      # otOther
    | K_CAST OPEN_PAREN typeName K_AS typeName CLOSE_PAREN               # otOther
    ;

// ---- DROP ---------------------------------------------------------------------------------

dropStmt
    : K_DROP dropObjectKind ifExists? anyName (COMMA anyName)* dropBehavior?
    ;

dropObjectKind
    : K_TABLE                                                # dkTable
    | K_FOREIGN K_TABLE                                      # dkTable
    | K_VIEW                                                 # dkView
    | K_MATERIALIZED K_VIEW                                  # dkMatView
    | K_INDEX K_CONCURRENTLY?                                # dkIndex
    | K_SEQUENCE                                             # dkSequence
    | K_SCHEMA                                               # dkSchema
    | K_TYPE                                                 # dkType
    | K_DOMAIN                                               # dkDomain
    | K_EXTENSION                                            # dkExtension
    | K_TABLESPACE                                           # dkTablespace
    | (K_ACCESS K_METHOD | genericObjectKind)                # dkOther
    ;

dropOwnedStmt
    : K_DROP K_OWNED K_BY roleList dropBehavior?
    ;

reassignOwnedStmt
    : K_REASSIGN K_OWNED K_BY roleList K_TO roleSpec
    ;

// ---- helpers shared by the DDL / DCL / TCL / utility rules --------------------------------

ifExists
    : K_IF K_EXISTS
    ;

ifNotExists
    : K_IF K_NOT K_EXISTS
    ;

dropBehavior
    : K_CASCADE
    | K_RESTRICT
    ;

// WITH ( name [= value], ... ) storage parameters, also SET/RESET ( ... ).
relOptions
    : OPEN_PAREN relOption (COMMA relOption)* CLOSE_PAREN
    ;

relOption
    : colLabel (DOT colLabel)? (EQUAL defArg)?
    ;

// A role as written in GRANT / OWNER TO / ...: a name, CURRENT_USER, SESSION_USER, CURRENT_ROLE
// (PUBLIC is an ordinary name here, as in PostgreSQL).
roleSpec
    : K_GROUP? nonReservedWord
    | K_GROUP? (K_CURRENT_USER | K_SESSION_USER | K_CURRENT_ROLE)
    ;

roleList
    : roleSpec (COMMA roleSpec)*
    ;

// Any operator token (exclusion constraints, CREATE TYPE definitions).
ddlOperator
    : OPERATOR
    | EQUAL
    | LT
    | GT
    | LESS_EQUALS
    | GREATER_EQUALS
    | NOT_EQUALS
    | PLUS
    | MINUS
    | STAR
    | SLASH
    | PERCENT
    | CARET
    ;

// The part of SET after the SET keyword (and SESSION/LOCAL) for a run-time parameter; used by
// SET, ALTER ROLE/DATABASE ... SET, ALTER SYSTEM SET and function SET clauses.
setRest
    : varName (K_TO | EQUAL) (K_DEFAULT | varValue (COMMA varValue)*)   # setVar
    | varName K_FROM K_CURRENT                                          # setVarFromCurrent
    | K_TIME K_ZONE zoneValue                                           # setTimeZone
    | K_CATALOG stringConst                                             # setCatalog
    | K_SCHEMA stringConst                                              # setSchema
    | K_NAMES (stringConst | K_DEFAULT)?                                # setNames
    | K_XML K_OPTION (K_DOCUMENT | K_CONTENT)                           # setXmlOption
    ;

resetRest
    : K_RESET (varName | K_TIME K_ZONE | K_TRANSACTION K_ISOLATION K_LEVEL
               | K_SESSION K_AUTHORIZATION | K_ALL)
    ;

varName
    : colId (DOT colId)*
    ;

varValue
    : K_TRUE
    | K_FALSE
    | K_ON
    | nonReservedWord
    | stringConst
    | signedNumber
    ;

zoneValue
    : stringConst
    | colId
    | K_INTERVAL stringConst (colId (K_TO colId)?)?
    | K_INTERVAL OPEN_PAREN INTEGER CLOSE_PAREN stringConst
    | signedNumber
    | K_DEFAULT
    ;
