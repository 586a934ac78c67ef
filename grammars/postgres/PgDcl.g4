// PostgreSQL DCL: GRANT / REVOKE (privileges and role membership), CREATE / ALTER / DROP
// ROLE|USER|GROUP, ALTER DEFAULT PRIVILEGES, SET ROLE / RESET ROLE, SET SESSION AUTHORIZATION,
// SECURITY LABEL. Written for Warden from PostgreSQL 15's documented syntax.
parser grammar PgDcl;

dclStatement
    : grantStmt
    | revokeStmt
    | grantRoleStmt
    | revokeRoleStmt
    | createRoleStmt
    | alterRoleStmt
    | dropRoleStmt
    | alterDefaultPrivilegesStmt
    | setRoleStmt
    | setSessionAuthStmt
    | securityLabelStmt
    ;

// ---- GRANT / REVOKE privileges ------------------------------------------------------------

grantStmt
    : K_GRANT privileges K_ON privilegeTarget K_TO roleList (K_WITH K_GRANT K_OPTION)?
      (K_GRANTED K_BY roleSpec)?
    ;

revokeStmt
    : K_REVOKE (K_GRANT K_OPTION K_FOR)? privileges K_ON privilegeTarget K_FROM roleList
      (K_GRANTED K_BY roleSpec)? dropBehavior?
    ;

privileges
    : K_ALL K_PRIVILEGES? (OPEN_PAREN nameList CLOSE_PAREN)?
    | privilege (COMMA privilege)*
    ;

privilege
    : (K_SELECT | K_REFERENCES | K_CREATE | colId) (OPEN_PAREN nameList CLOSE_PAREN)?
    | K_ALTER K_SYSTEM
    ;

privilegeTarget
    : K_TABLE? qualifiedNameList                                           # ptTable
    | K_SEQUENCE qualifiedNameList                                         # ptSequence
    | K_DATABASE nameList                                                  # ptDatabase
    | K_SCHEMA nameList                                                    # ptSchema
    | (K_FUNCTION | K_PROCEDURE | K_ROUTINE) funcWithArgs (COMMA funcWithArgs)*  # ptFunction
    | (K_TYPE | K_DOMAIN) anyName (COMMA anyName)*                         # ptType
    | K_ALL (K_TABLES | K_SEQUENCES | K_FUNCTIONS | K_PROCEDURES | K_ROUTINES)
      K_IN K_SCHEMA nameList                                               # ptAllInSchema
    | (K_TABLESPACE | K_LANGUAGE | K_FOREIGN K_DATA K_WRAPPER | K_FOREIGN K_SERVER)
      nameList                                                             # ptOther
    | K_LARGE K_OBJECT signedNumber (COMMA signedNumber)*                  # ptOther
    | K_PARAMETER varName (COMMA varName)*                                 # ptOther
    ;

// ---- GRANT / REVOKE role membership -------------------------------------------------------

grantRoleStmt
    : K_GRANT roleList K_TO roleList
      (K_WITH (K_ADMIN | K_INHERIT | K_SET) (K_OPTION | K_TRUE | K_FALSE))?
      (K_GRANTED K_BY roleSpec)?
    ;

revokeRoleStmt
    : K_REVOKE ((K_ADMIN | K_INHERIT | K_SET) K_OPTION K_FOR)? roleList K_FROM roleList
      (K_GRANTED K_BY roleSpec)? dropBehavior?
    ;

// ---- CREATE / ALTER / DROP ROLE -----------------------------------------------------------

createRoleStmt
    : K_CREATE (K_ROLE | K_USER | K_GROUP) roleSpec K_WITH? roleOption*
    ;

roleOption
    : K_PASSWORD (stringConst | K_NULL)
    | (K_ENCRYPTED | K_UNENCRYPTED) K_PASSWORD stringConst
    | K_INHERIT
    | K_CONNECTION K_LIMIT signedNumber
    | K_VALID K_UNTIL stringConst
    | K_SYSID INTEGER
    | (K_USER | K_ROLE | K_ADMIN | K_IN K_ROLE | K_IN K_GROUP) roleList
    | IDENT
    ;

alterRoleStmt
    : K_ALTER (K_ROLE | K_USER) roleSpec K_WITH? roleOption+
    | K_ALTER (K_ROLE | K_USER | K_GROUP) roleSpec K_RENAME K_TO roleSpec
    | K_ALTER (K_ROLE | K_USER) (roleSpec | K_ALL) (K_IN K_DATABASE name)? (K_SET setRest | resetRest)
    | K_ALTER K_GROUP roleSpec (K_ADD | K_DROP) K_USER roleList
    ;

dropRoleStmt
    : K_DROP (K_ROLE | K_USER | K_GROUP) ifExists? roleList
    ;

// ---- ALTER DEFAULT PRIVILEGES -------------------------------------------------------------

alterDefaultPrivilegesStmt
    : K_ALTER K_DEFAULT K_PRIVILEGES
      (K_FOR (K_ROLE | K_USER) roleList | K_IN K_SCHEMA nameList)*
      ( K_GRANT privileges K_ON defaultPrivilegeKind K_TO roleList (K_WITH K_GRANT K_OPTION)?
      | K_REVOKE (K_GRANT K_OPTION K_FOR)? privileges K_ON defaultPrivilegeKind K_FROM roleList
        dropBehavior?
      )
    ;

defaultPrivilegeKind
    : K_TABLES
    | K_SEQUENCES
    | K_FUNCTIONS
    | K_ROUTINES
    | K_TYPES
    | K_SCHEMAS
    ;

// ---- SET ROLE / SESSION AUTHORIZATION -----------------------------------------------------

setRoleStmt
    : K_SET (K_SESSION | K_LOCAL)? K_ROLE (K_TO | EQUAL)? (nonReservedWord | stringConst)
    | K_RESET K_ROLE
    ;

setSessionAuthStmt
    : K_SET (K_SESSION | K_LOCAL)? K_SESSION K_AUTHORIZATION
      (nonReservedWord | stringConst | K_DEFAULT)
    | K_RESET K_SESSION K_AUTHORIZATION
    ;

// ---- SECURITY LABEL -----------------------------------------------------------------------

securityLabelStmt
    : K_SECURITY K_LABEL (K_FOR (nonReservedWord | stringConst))? K_ON objectTarget K_IS
      (stringConst | K_NULL)
    ;
