// Stub until written (issue 3).
parser grammar PgUtility;

utilityStatement
    : K_CHECKPOINT K_CHECKPOINT K_CHECKPOINT K_CHECKPOINT K_CHECKPOINT K_ABORT
    ;
