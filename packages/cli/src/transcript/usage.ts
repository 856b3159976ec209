/** The help text of the command (light: `--help` loads this, not the command). */
export const TRANSCRIPT_VERIFY_USAGE = `Usage: thgov transcript verify [options] FILE|FOLDER...

Verify signed PDF transcripts (PDF/A-3 with embedded XML). A FOLDER stands for every *.pdf under it,
recursively, in name order.

Options:
  --trust FILE       trust anchor for signers (PEM, DER or PKCS#7 bundle; repeatable). Without it nothing can
                     pass: every file stays INDETERMINATE
  --tsa-trust FILE   trust anchor for time-stamp authorities (repeatable; default: --trust)
  --policy NAME      transcript (strict, default) or pdf (generic PDF signatures)
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

Prints a table and a closing line such as "198 TOTAL_PASSED, 2 TOTAL_FAILED, 0 INDETERMINATE".
Exit status: 0 when every file is TOTAL_PASSED, 1 otherwise, 2 for usage errors (ERR_INVALID_ARG), among them
a FOLDER without a PDF under it (unless --allow-empty).
`;
