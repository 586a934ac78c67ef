// test/unit/postgres/pg_fixtures.h
//! Golden PostgreSQL protocol fixtures (hex, whole frames). "captured" ones are bytes recorded from
//! PostgreSQL 15.18 and psql 15 on loopback; the others are written from the protocol docs.
#pragma once

namespace warden::dialect::postgres::fixtures {

// psql 15 on a tty: user=alice dbname=shop (captured)
inline constexpr const char* kPsqlStartup =
    "0000004d 00030000 7573657200 616c69636500 646174616261736500 73686f7000 6170706c69636174 "
    "696f6e5f6e616d6500 7073716c00 636c69656e745f656e636f64696e6700 5554463800 00";

// SSLRequest 1234.5679 (captured from psql)
inline constexpr const char* kSslRequest =
    "00000008 04d2162f";

// CancelRequest for the captured BackendKeyData (pid 5189)
inline constexpr const char* kCancelRequest30 =
    "00000010 04d2162e 00001445 eaae65f6";

// protocol 3.2 CancelRequest with a 32-byte secret
inline constexpr const char* kCancelRequest32 =
    "0000002c 04d2162e 00001092 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d "
    "3e3f";

// Query "SELECT 1/0" (captured)
inline constexpr const char* kQuery =
    "51 0000000f 53454c45435420312f3000";

// Parse s1 "SELECT $1::int + $2" with types int4, unspecified
inline constexpr const char* kParse =
    "50 00000025 733100 53454c4543542024313a3a696e74202b20243200 0002 00000017 00000000";

// Parse of the unnamed statement, no parameter types
inline constexpr const char* kParseUnnamed =
    "50 0000000d 00 424547494e00 0000";

// Bind unnamed portal to s1: 1 text format, 2 params ("41", NULL), 1 result format
inline constexpr const char* kBind =
    "42 0000001c 00 733100 0001 0000 0002 00000002 3431 ffffffff 0001 0000";

// Describe 'S' s1
inline constexpr const char* kDescribeStatement =
    "44 00000008 53 733100";

// Close 'P' unnamed portal
inline constexpr const char* kClosePortal =
    "43 00000006 50 00";

// PasswordMessage (cleartext)
inline constexpr const char* kPasswordCleartext =
    "70 0000000b 73656372657400";

// PasswordMessage md5(md5(secret+alice)+salt) form
inline constexpr const char* kPasswordMd5 =
    "70 00000028 6d6435613335353635373165393362306432303732326261363262653631653863326400";

// SASLInitialResponse SCRAM-SHA-256 client-first (captured)
inline constexpr const char* kSaslInitialResponse =
    "70 00000032 534352414d2d5348412d32353600 0000001c 6e2c2c6e3d2c723d724f70724e476677456265 "
    "525767624e456b714f";

// SASLInitialResponse with no initial data (length -1)
inline constexpr const char* kSaslInitialNoData =
    "70 00000016 534352414d2d5348412d32353600 ffffffff";

// SASLResponse client-final (captured)
inline constexpr const char* kSaslResponse =
    "70 00000068 633d626977732c723d724f70724e476677456265525767624e456b714f39495a367a7a333964 "
    "39545530762f53327a3577356138352c703d4554354b3261437a50595035656f33324e783569723133477767 "
    "4a4b694f624f6d777763315a36713544593d";

// Sync
inline constexpr const char* kSync =
    "53 00000004";

// Terminate
inline constexpr const char* kTerminate =
    "58 00000004";

// AuthenticationSASL over TLS: SCRAM-SHA-256-PLUS, SCRAM-SHA-256
inline constexpr const char* kAuthSaslPlus =
    "52 0000002a 0000000a 534352414d2d5348412d3235362d504c555300 534352414d2d5348412d32353600 "
    "00";

// AuthenticationSASL without TLS (captured from PostgreSQL 15)
inline constexpr const char* kAuthSasl =
    "52 00000017 0000000a 534352414d2d5348412d32353600 00";

// AuthenticationSASLContinue server-first (captured)
inline constexpr const char* kAuthSaslContinue =
    "52 00000058 0000000b 723d724f70724e476677456265525767624e456b714f39495a367a7a3339643954 "
    "5530762f53327a3577356138352c733d723563653476454c5a38643054705836756e734571673d3d2c693d34 "
    "303936";

// AuthenticationSASLFinal server-final (captured)
inline constexpr const char* kAuthSaslFinal =
    "52 00000036 0000000c 763d546c54344b4a4350386a447a64532b42464d485161566b672f634644424f6c "
    "46535646754c2f33585358553d";

// AuthenticationOk (captured)
inline constexpr const char* kAuthOk =
    "52 00000008 00000000";

// AuthenticationCleartextPassword
inline constexpr const char* kAuthCleartext =
    "52 00000008 00000003";

// AuthenticationMD5Password with salt 93 4a 1c 07
inline constexpr const char* kAuthMd5 =
    "52 0000000c 00000005 934a1c07";

// ParameterStatus server_version (captured)
inline constexpr const char* kParamServerVersion =
    "53 00000032 7365727665725f76657273696f6e00 31352e3138202844656269616e2031352e31382d302b "
    "646562313275312900";

// ParameterStatus application_name = "" (captured)
inline constexpr const char* kParamEmptyAppName =
    "53 00000016 6170706c69636174696f6e5f6e616d6500 00";

// BackendKeyData pid 5189 (captured)
inline constexpr const char* kBackendKeyData =
    "4b 0000000c 00001445 eaae65f6";

// protocol 3.2 BackendKeyData with a 32-byte secret
inline constexpr const char* kBackendKeyData32 =
    "4b 00000028 00001092 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

// ReadyForQuery idle (captured)
inline constexpr const char* kReadyIdle =
    "5a 00000005 49";

// everything PostgreSQL 15 sent after the client-final message, one buffer (captured)
inline constexpr const char* kPostAuth =
    "52000000360000000c763d546c54344b4a4350386a447a64532b42464d485161566b672f634644424f6c4653 "
    "5646754c2f33585358553d52000000080000000053000000166170706c69636174696f6e5f6e616d65000053 "
    "00000019636c69656e745f656e636f64696e670055544638005300000017446174655374796c650049534f2c "
    "204d445900530000002664656661756c745f7472616e73616374696f6e5f726561645f6f6e6c79006f666600 "
    "5300000017696e5f686f745f7374616e646279006f6666005300000019696e74656765725f6461746574696d "
    "6573006f6e00530000001b496e74657276616c5374796c6500706f73746772657300530000001469735f7375 "
    "70657275736572006f6e0053000000197365727665725f656e636f64696e6700555446380053000000327365 "
    "727665725f76657273696f6e0031352e3138202844656269616e2031352e31382d302b646562313275312900 "
    "530000002373657373696f6e5f617574686f72697a6174696f6e00706f737467726573005300000023737461 "
    "6e646172645f636f6e666f726d696e675f737472696e6773006f6e00530000001554696d655a6f6e65004574 "
    "632f555443004b0000000c00001445eaae65f65a0000000549";

// ErrorResponse for SELECT 1/0 with S V C M F L R (captured)
inline constexpr const char* kErrorDivZero =
    "45 00000041 53 4552524f5200 56 4552524f5200 43 323230313200 4d 6469766973696f6e20627920 "
    "7a65726f00 46 696e742e6300 4c 38363900 52 696e743464697600 00";

// NoticeResponse from RAISE NOTICE (captured)
inline constexpr const char* kNoticeHi =
    "4e 00000077 53 4e4f5449434500 56 4e4f5449434500 43 303030303000 4d 686900 57 504c2f7067 "
    "53514c2066756e6374696f6e20696e6c696e655f636f64655f626c6f636b206c696e65203120617420524149 "
    "534500 46 706c5f657865632e6300 4c 3338393100 52 657865635f73746d745f726169736500 "
    "00";

// NoticeResponse, CommandComplete DO, ReadyForQuery (captured)
inline constexpr const char* kNoticeSequence =
    "4e00000077534e4f5449434500564e4f5449434500433030303030004d68690057504c2f706753514c206675 "
    "6e6374696f6e20696e6c696e655f636f64655f626c6f636b206c696e6520312061742052414953450046706c "
    "5f657865632e63004c333839310052657865635f73746d745f726169736500004300000007444f005a000000 "
    "0549";

// NegotiateProtocolVersion for a 3.9999 startup with _pq_.grease (captured; note 0x00030000)
inline constexpr const char* kNegotiate =
    "76 00000018 00030000 00000001 5f70715f2e67726561736500";

// DataRow with 2 columns ("1", NULL)
inline constexpr const char* kDataRow =
    "44 0000000f 0002 00000001 31 ffffffff";

// CopyData of 20 bytes
inline constexpr const char* kCopyData =
    "64 00000018 3109616c69636509323032342d30312d30310a78";

// CommandComplete SELECT 1
inline constexpr const char* kCommandCompleteSelect =
    "43 0000000d 53454c454354203100";

}  // namespace warden::dialect::postgres::fixtures
