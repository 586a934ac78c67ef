// Stub until written (issue 3).
parser grammar PgDcl;

dclStatement
    : K_CHECKPOINT K_CHECKPOINT K_CHECKPOINT K_ABORT
    ;
