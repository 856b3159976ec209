/** The help texts of `thgov pdf …` (light: `--help` loads this, not the commands or @thgov/esign). */
export const PDF_SIGN_USAGE = `Usage: thgov pdf sign IN OUT (--pkcs12 FILE | --pkcs11 LIBRARY | --csc URL --credential ID)
       [options]

Sign a PDF (PAdES baseline, as an incremental update: earlier signatures stay valid) and write it to OUT.

Key (one of):
  --pkcs12 FILE          a PKCS#12 (.p12/.pfx) file with the signer's key and certificate chain
  --passphrase-env VAR   environment variable holding its passphrase (default THGOV_PKCS12_PASSPHRASE)
  --passphrase-file FILE file holding its passphrase (first line)
  --pkcs11 LIBRARY       a PKCS#11 module (HSM, smart card, SoftHSM2), e.g. /usr/lib/softhsm/libsofthsm2.so
  --token-label LABEL    the token, by its label (or --slot N, the slot ID)
  --key-label LABEL      the private key, by its CKA_LABEL (or --key-id HEX, its CKA_ID)
  --chain FILE           the certificate chain, signer first (PEM), when the token holds no certificate
                         or only the signer's
  --pin-env VAR          environment variable holding the token's user PIN (default THGOV_PKCS11_PIN)
  --pin-file FILE        file holding the PIN (first line)
  --csc URL              a remote signing service (Cloud Signature Consortium API v2 base URL)
  --credential ID        the credential to sign with at that service
  --csc-token-env VAR    environment variable holding the OAuth2 'service' access token
                         (default THGOV_CSC_TOKEN)
  --pin-env VAR          environment variable holding the credential's PIN (default THGOV_CSC_PIN)
  --pin-file FILE        file holding the PIN (first line)
                         When the credential also needs an OTP, the service sends it and the command reads it
                         from standard input.

Options:
  --level LEVEL          B-B (default), B-T, B-LT or B-LTA; B-T and above need --tsa
  --tsa URL              RFC 3161 time-stamp authority
  --trust FILE           anchor the signer's certificate must chain to before signing (PEM, DER or PKCS#7;
                         repeatable); required unless --skip-chain-check
  --skip-chain-check     sign without checking the chain (validity and key usage are still checked)
  --revocation MODE      fetch (default: ask the certificates' OCSP/CRL URLs for B-LT/B-LTA) or embed
  --reason TEXT          /Reason of the signature
  --location TEXT        /Location
  --contact-info TEXT    /ContactInfo
  --field-name NAME      name of the new signature field (default Signature<n>)
  --certify P            make it the certification signature with DocMDP permissions 1, 2 or 3
  --visible X1,Y1,X2,Y2  a visible signature in this rectangle (PDF points from the lower-left corner)
  --page N               page of the visible signature (default 1)
  --name TEXT            name shown in the visible signature (default the certificate's CN)
  --position TEXT        position or title shown under the name
  --timeout MS           deadline of each TSA, OCSP and CRL request (default 30000)
  -h, --help             show this help

Secrets (passphrase, PIN, token) are read from the environment or a file, never from the command line, and
are never printed. Exit status: 0 signed, 1 signing failed, 2 usage errors (ERR_INVALID_ARG).
`;

/** Help text of `thgov pdf extend`. */
export const PDF_EXTEND_USAGE = `Usage: thgov pdf extend IN OUT --level B-LT|B-LTA [options]

Augment the signatures of a signed PDF and write it to OUT: B-LT adds the certificates, OCSP responses and
CRLs of every signature to /DSS; B-LTA also adds (or renews) an archive document time-stamp.

Options:
  --level LEVEL      B-LT or B-LTA (required)
  --tsa URL          RFC 3161 time-stamp authority (needed for B-LTA)
  --trust FILE       anchor the signers' paths are built to (PEM, DER or PKCS#7; repeatable)
  --revocation MODE  fetch (default: ask the certificates' OCSP/CRL URLs) or embed
  --timeout MS       deadline of each TSA, OCSP and CRL request (default 30000)
  -h, --help         show this help

Exit status: 0 extended, 1 extending failed, 2 usage errors (ERR_INVALID_ARG).
`;

/** Help text of `thgov pdf verify`. */
export const PDF_VERIFY_USAGE = `Usage: thgov pdf verify [options] FILE|FOLDER...

Verify the signatures of any signed PDF with the generic policy (ETSI EN 319 102-1 report, PAdES level). A
FOLDER stands for every *.pdf under it, recursively, in name order. For transcripts' strict policy use
'thgov transcript verify'.

Options:
  --trust FILE       trust anchor for signers (PEM, DER or PKCS#7 bundle; repeatable). Without it nothing can
                     pass: every file stays INDETERMINATE
  --tsa-trust FILE   trust anchor for time-stamp authorities (repeatable; default: --trust)
  --crl FILE         a CRL (PEM or DER) to weigh with each file's own revocation data (repeatable)
  --ocsp-response FILE
                     an OCSP response (DER) to weigh likewise (repeatable)
  --online           fetch OCSP/CRL from the certificates' URLs when the data at hand settles nothing, and
                     a missing issuer certificate from its caIssuers URL (through HTTPS_PROXY/HTTP_PROXY
                     when set, 5 s per request, 10 MiB at most)
  --json             print one JSON array of reports
  --junit FILE       also write a JUnit XML report to FILE (for CI): one test case per file
  --allow-empty      a FOLDER without a PDF under it is noted, not a usage error (nothing at all to
                     verify then exits 0)
  -h, --help         show this help

Prints a table (with each signature's PAdES level) and a closing line such as
"3 TOTAL_PASSED, 0 TOTAL_FAILED, 0 INDETERMINATE".
Exit status: 0 when every file is TOTAL_PASSED, 1 otherwise, 2 for usage errors (ERR_INVALID_ARG), among them
a FOLDER without a PDF under it (unless --allow-empty).
`;
