// PostgreSQL TCL: BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK / ABORT, SAVEPOINT,
// RELEASE, ROLLBACK TO, two-phase commit, SET TRANSACTION / SET CONSTRAINTS. Written for Warden
// from PostgreSQL 15's documented syntax.
parser grammar PgTcl;

tclStatement
    : beginStmt
    | commitStmt
    | rollbackStmt
    | savepointStmt
    | releaseSavepointStmt
    | rollbackToStmt
    | prepareTransactionStmt
    | commitPreparedStmt
    | rollbackPreparedStmt
    | setTransactionStmt
    ;

beginStmt
    : K_BEGIN (K_WORK | K_TRANSACTION)? transactionModes?
    | K_START K_TRANSACTION transactionModes?
    ;

commitStmt
    : (K_COMMIT | K_END) (K_WORK | K_TRANSACTION)? (K_AND K_NO? K_CHAIN)?
    ;

rollbackStmt
    : (K_ROLLBACK | K_ABORT) (K_WORK | K_TRANSACTION)? (K_AND K_NO? K_CHAIN)?
    ;

savepointStmt
    : K_SAVEPOINT colId
    ;

releaseSavepointStmt
    : K_RELEASE K_SAVEPOINT? colId
    ;

rollbackToStmt
    : (K_ROLLBACK | K_ABORT) (K_WORK | K_TRANSACTION)? K_TO K_SAVEPOINT? colId
    ;

prepareTransactionStmt
    : K_PREPARE K_TRANSACTION stringConst
    ;

commitPreparedStmt
    : K_COMMIT K_PREPARED stringConst
    ;

rollbackPreparedStmt
    : K_ROLLBACK K_PREPARED stringConst
    ;

setTransactionStmt
    : K_SET K_TRANSACTION (transactionModes | K_SNAPSHOT stringConst)
    | K_SET K_SESSION K_CHARACTERISTICS K_AS K_TRANSACTION transactionModes
    | K_SET K_CONSTRAINTS (K_ALL | qualifiedNameList) (K_DEFERRED | K_IMMEDIATE)
    ;

transactionModes
    : transactionMode (COMMA? transactionMode)*
    ;

transactionMode
    : K_ISOLATION K_LEVEL
      (K_SERIALIZABLE | K_REPEATABLE K_READ | K_READ K_COMMITTED | K_READ K_UNCOMMITTED)
    | K_READ (K_ONLY | K_WRITE)
    | K_NOT? K_DEFERRABLE
    ;
