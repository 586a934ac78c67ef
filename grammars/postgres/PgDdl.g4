// Stub until written (issue 3).
parser grammar PgDdl;

ddlStatement
    : K_CHECKPOINT K_CHECKPOINT K_ABORT
    ;
