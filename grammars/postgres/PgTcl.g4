// Stub until written (issue 3).
parser grammar PgTcl;

tclStatement
    : K_CHECKPOINT K_CHECKPOINT K_CHECKPOINT K_CHECKPOINT K_ABORT
    ;
