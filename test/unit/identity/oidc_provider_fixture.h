// test/unit/identity/oidc_provider_fixture.h
//! Real-world shape: a JWKS and two access tokens issued by node `oidc-provider` 9.x (RFC 9068
//! "at+jwt", client_credentials grant with a resource indicator, RS256 and ES256 keys with
//! use/alg members, extraTokenClaims adding groups and warden_kind). Generated once with:
//!   new Provider('http://127.0.0.1:9000', { jwks: {keys: [rsa2048 'rsa-2024' RS256,
//!     P-256 'ec-2024' ES256]}, features: { clientCredentials, resourceIndicators:
//!     { getResourceServerInfo: () => ({ audience: 'warden', accessTokenFormat: 'jwt',
//!       jwt: { sign: { alg } } }) } }, extraTokenClaims: () => ({ groups: ['dba', 'oncall'],
//!     warden_kind: 'agent' }) })
//!   POST /token grant_type=client_credentials scope=db resource=urn:warden:{rs,es}
//!   GET /jwks
//! Private keys were discarded. Shared by jwt_fixture_test.cc and test/fuzz/jwt_fuzz.cc.
#pragma once

#include <chrono>
#include <string_view>

namespace warden::identity::test {

inline constexpr std::string_view kJwks =
    R"({"keys":[{"kty":"RSA","use":"sig","kid":"rsa-2024","alg":"RS256","e":"AQAB","n":")"
    "r78MHhR307hDUBqt0IsAs_QtE-4UEmIM59aZAGVIaVb7pMwB75R7j5lsmNXa2SRVZR8_MT0xaQw-EWoO7xrTwT_a"
    "u0TU80tG8UZg-LB4Ljma792Ms_NmA90Ru3qswL69q7Rt0d0h5nBAU7hUye1B_-V38uCFqKgImJbvm-YAWSAl_5rn"
    "ka3eUDdcOZ8PM55boB9ugoUDG-t9aL4q1942aAmHOi4eOk9a844_D8Z41kbe6N7dGR9M7NoUQjSeA2amRKBbUMw5"
    "70CKuR28Z3AhsJTY2zaG3rnhJ29E6GpGNT__IVz2nLBhc3uSsMFRAtlfeE0GuhflfNtwj0YRg_jj0w"
    R"("},{"kty":"EC","use":"sig","kid":"ec-2024","alg":"ES256","crv":"P-256",)"
    R"("x":"mWH_5vA0yyATOnqS0t6WUMJPeHmdpERd2zVzW_9xRcA",)"
    R"("y":"j_jmkeF6OeSdu6_bDxYdsYK8wLHmYpjCdL8hKGeO8I0"}]})";
inline constexpr std::string_view kRs256Token =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6InJzYS0yMDI0In0.eyJncm91cHMiOlsiZGJhIiwi"
    "b25jYWxsIl0sIndhcmRlbl9raW5kIjoiYWdlbnQiLCJqdGkiOiJJUFVLblpndGo0V2t0bF8yeDVUd2E0N1FQSk9w"
    "ZUxwWEJ1WU1vcWxKbm1XIiwic3ViIjoid2FyZGVuLWFnZW50IiwiaWF0IjoxNzk1NTgwNTY2LCJleHAiOjE3OTU1"
    "ODQxNjYsInNjb3BlIjoiZGIiLCJjbGllbnRfaWQiOiJ3YXJkZW4tYWdlbnQiLCJpc3MiOiJodHRwOi8vMTI3LjAu"
    "MC4xOjkwMDAiLCJhdWQiOiJ3YXJkZW4ifQ.Hg6Of48tVYnn9N7t1dEYLRN6D2SoeEaZHlYtTo6FSAHjlLB_7eYN-"
    "guNlkgWecUz6fh4IreTBXsu6pBFryq3nVlJcP-1LvhegLPW6TQ_ym3fAeoVzZ0QjtpjB0S48xCBertLaHZcO9yHZ"
    "QKPqZCvFbZOvot8qXgfTOGD6jZIEgZCJqzH60mP07V0w05dNGCjZpcEGZo4uWlJbcdS2Iy5dHt2-bIj3jrbaG3J6"
    "2herWQhFXRD2Pp9nJqCKrFYFUKHJ_6BO3qxk8V--dSQ8lpzkWRKuVLdov4JjH1q4-_DV0wf7diaU9UBfaosuK6kl"
    "NwVd6gIPrEVJ-AFP1zlfdegOA";
inline constexpr std::string_view kEs256Token =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImVjLTIwMjQifQ.eyJncm91cHMiOlsiZGJhIiwib"
    "25jYWxsIl0sIndhcmRlbl9raW5kIjoiYWdlbnQiLCJqdGkiOiJ6Q3ZVb0RBaWJ0Wk1Lakh2QTF2XzRwNV9zTjkwU"
    "1d2azVheDMtRzBTX1cyIiwic3ViIjoid2FyZGVuLWFnZW50IiwiaWF0IjoxNzk1NTgwNTY2LCJleHAiOjE3OTU1O"
    "DQxNjYsInNjb3BlIjoiZGIiLCJjbGllbnRfaWQiOiJ3YXJkZW4tYWdlbnQiLCJpc3MiOiJodHRwOi8vMTI3LjAuM"
    "C4xOjkwMDAiLCJhdWQiOiJ3YXJkZW4ifQ.dmx25rpa-8MDfmUbKTa0P2hIiGDmpe-K6BHYLmtxLPKbSqgWwFT3dR"
    "xXfEGAQ3ns8sEZHBxn8Q3UEh-un_RD0Q";

// iat 1795580566, exp iat + 3600.
inline const auto kIssuedAt =
    std::chrono::system_clock::time_point(std::chrono::seconds(1795580566));

}  // namespace warden::identity::test
