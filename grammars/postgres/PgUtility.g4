// PostgreSQL utility statements: COPY, EXPLAIN, DO, CALL, PREPARE / EXECUTE / DEALLOCATE,
// SET / RESET / SHOW, VACUUM / ANALYZE, LOCK, LISTEN / NOTIFY / UNLISTEN, CHECKPOINT, DISCARD,
// LOAD, ALTER SYSTEM, REINDEX, CLUSTER, DECLARE / FETCH / MOVE / CLOSE. Written for Warden from
// PostgreSQL 15's documented syntax.
parser grammar PgUtility;

utilityStatement
    : copyStmt
    | explainStmt
    | doStmt
    | callStmt
    | prepareStmt
    | executeStmt
    | deallocateStmt
    | setStmt
    | resetStmt
    | showStmt
    | vacuumStmt
    | analyzeStmt
    | lockStmt
    | listenStmt
    | notifyStmt
    | unlistenStmt
    | checkpointStmt
    | discardStmt
    | loadStmt
    | alterSystemStmt
    | reindexStmt
    | clusterStmt
    | declareCursorStmt
    | fetchStmt
    | closeCursorStmt
    ;

// ---- COPY ---------------------------------------------------------------------------------

copyStmt
    : K_COPY K_BINARY? qualifiedName (OPEN_PAREN nameList CLOSE_PAREN)? copyDelimiters?
      K_FROM copyEndpoint copyOptions (K_WHERE expr)?                                # copyFrom
    | K_COPY K_BINARY? qualifiedName (OPEN_PAREN nameList CLOSE_PAREN)? copyDelimiters?
      K_TO copyEndpoint copyOptions                                                  # copyTo
    | K_COPY OPEN_PAREN preparableStmt CLOSE_PAREN K_TO copyEndpoint copyOptions     # copyQueryTo
    ;

copyEndpoint
    : K_PROGRAM stringConst
    | stringConst
    | K_STDIN
    | K_STDOUT
    ;

copyDelimiters
    : K_USING K_DELIMITERS stringConst
    ;

copyOptions
    : K_WITH? OPEN_PAREN copyGenericOption (COMMA copyGenericOption)* CLOSE_PAREN
    | K_WITH? copyLegacyOption*
    ;

copyGenericOption
    : colLabel copyOptionArg?
    ;

copyOptionArg
    : varValue
    | STAR
    | OPEN_PAREN varValue (COMMA varValue)* CLOSE_PAREN
    ;

copyLegacyOption
    : K_BINARY
    | K_FREEZE
    | K_DELIMITER K_AS? stringConst
    | K_NULL K_AS? stringConst
    | K_CSV
    | K_HEADER
    | K_QUOTE K_AS? stringConst
    | K_ESCAPE K_AS? stringConst
    | K_FORCE K_QUOTE (STAR | nameList)
    | K_FORCE K_NOT K_NULL nameList
    | K_FORCE K_NULL nameList
    | K_ENCODING stringConst
    ;

// ---- EXPLAIN ------------------------------------------------------------------------------

explainStmt
    : K_EXPLAIN OPEN_PAREN utilityOption (COMMA utilityOption)* CLOSE_PAREN explainableStmt
    | K_EXPLAIN analyzeKeyword? K_VERBOSE? explainableStmt
    ;

analyzeKeyword
    : K_ANALYZE
    | K_ANALYSE
    ;

explainableStmt
    : preparableStmt
    | executeStmt
    | createTableStmt
    | createMatViewStmt
    | declareCursorStmt
    ;

// name [value] as in EXPLAIN ( ... ), VACUUM ( ... ), ANALYZE ( ... ), REINDEX ( ... ).
utilityOption
    : (nonReservedWord | analyzeKeyword) utilityOptionArg?
    ;

utilityOptionArg
    : varValue
    ;

// ---- DO / CALL / PREPARE / EXECUTE / DEALLOCATE -------------------------------------------

doStmt
    : K_DO doOption+
    ;

doOption
    : stringConst
    | K_LANGUAGE (nonReservedWord | stringConst)
    ;

callStmt
    : K_CALL qualifiedName OPEN_PAREN (callArg (COMMA callArg)*)? CLOSE_PAREN
    ;

callArg
    : colLabel (EQUALS_GREATER | COLON_EQUALS) expr
    | expr
    ;

prepareStmt
    : K_PREPARE colId (OPEN_PAREN typeName (COMMA typeName)* CLOSE_PAREN)? K_AS preparableStmt
    ;

executeStmt
    : K_EXECUTE colId (OPEN_PAREN exprList CLOSE_PAREN)?
    ;

deallocateStmt
    : K_DEALLOCATE K_PREPARE? (colId | K_ALL)
    ;

// ---- SET / RESET / SHOW -------------------------------------------------------------------

setStmt
    : K_SET (K_SESSION | K_LOCAL)? setRest
    ;

resetStmt
    : resetRest
    ;

showStmt
    : K_SHOW (varName | K_TIME K_ZONE | K_TRANSACTION K_ISOLATION K_LEVEL
              | K_SESSION K_AUTHORIZATION | K_ALL)
    ;

// ---- VACUUM / ANALYZE / REINDEX / CLUSTER / CHECKPOINT ------------------------------------

vacuumStmt
    : K_VACUUM OPEN_PAREN utilityOption (COMMA utilityOption)* CLOSE_PAREN
      (vacuumRelation (COMMA vacuumRelation)*)?
    | K_VACUUM K_FULL? K_FREEZE? K_VERBOSE? analyzeKeyword?
      (vacuumRelation (COMMA vacuumRelation)*)?
    ;

analyzeStmt
    : analyzeKeyword (K_VERBOSE | OPEN_PAREN utilityOption (COMMA utilityOption)* CLOSE_PAREN)?
      (vacuumRelation (COMMA vacuumRelation)*)?
    ;

vacuumRelation
    : qualifiedName (OPEN_PAREN nameList CLOSE_PAREN)?
    ;

reindexStmt
    : K_REINDEX (OPEN_PAREN utilityOption (COMMA utilityOption)* CLOSE_PAREN)?
      reindexTarget K_CONCURRENTLY? qualifiedName?
    ;

reindexTarget
    : K_INDEX
    | K_TABLE
    | K_SCHEMA
    | K_DATABASE
    | K_SYSTEM
    ;

clusterStmt
    : K_CLUSTER (OPEN_PAREN utilityOption (COMMA utilityOption)* CLOSE_PAREN)? K_VERBOSE?
      (qualifiedName (K_USING colId)?)?
    | K_CLUSTER K_VERBOSE? colId K_ON qualifiedName
    ;

checkpointStmt
    : K_CHECKPOINT
    ;

// ---- LOCK ---------------------------------------------------------------------------------

lockStmt
    : K_LOCK K_TABLE? truncateTarget (COMMA truncateTarget)* (K_IN lockMode K_MODE)? K_NOWAIT?
    ;

lockMode
    : K_ACCESS K_SHARE
    | K_ROW K_SHARE
    | K_ROW K_EXCLUSIVE
    | K_SHARE K_UPDATE K_EXCLUSIVE
    | K_SHARE
    | K_SHARE K_ROW K_EXCLUSIVE
    | K_EXCLUSIVE
    | K_ACCESS K_EXCLUSIVE
    ;

// ---- LISTEN / NOTIFY / UNLISTEN / DISCARD / LOAD / ALTER SYSTEM ---------------------------

listenStmt
    : K_LISTEN colId
    ;

notifyStmt
    : K_NOTIFY colId (COMMA stringConst)?
    ;

unlistenStmt
    : K_UNLISTEN (colId | STAR)
    ;

discardStmt
    : K_DISCARD (K_ALL | K_PLANS | K_SEQUENCES | K_TEMP | K_TEMPORARY)
    ;

loadStmt
    : K_LOAD stringConst
    ;

alterSystemStmt
    : K_ALTER K_SYSTEM (K_SET setRest | K_RESET (varName | K_ALL))
    ;

// ---- cursors ------------------------------------------------------------------------------

declareCursorStmt
    : K_DECLARE colId (K_NO K_SCROLL | K_SCROLL | K_BINARY | K_INSENSITIVE | K_ASENSITIVE)*
      K_CURSOR ((K_WITH | K_WITHOUT) K_HOLD)? K_FOR selectStmt
    ;

fetchStmt
    : (K_FETCH | K_MOVE) fetchDirection? ((K_FROM | K_IN))? colId
    ;

fetchDirection
    : K_NEXT
    | K_PRIOR
    | K_FIRST
    | K_LAST
    | (K_ABSOLUTE | K_RELATIVE) signedNumber
    | signedNumber
    | K_ALL
    | (K_FORWARD | K_BACKWARD) (signedNumber | K_ALL)?
    ;

closeCursorStmt
    : K_CLOSE (colId | K_ALL)
    ;
