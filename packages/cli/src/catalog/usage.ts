/**
 * The help texts of `thgov catalog …` (light: `--help` loads this module, not the commands and their clients).
 */

export const CATALOG_VALIDATE_USAGE = `Usage: thgov catalog validate [--schema 2.1|2.2 | --server] [--json] DATASET.json

Checks dataset metadata against the thai_gdc standard offline: the mandatory items, the exact Thai choice
values, the "อื่นๆ" → <field>_other rule, per-type fields and the "True"/"False" strings. Each problem names
the field, in Thai and English.

Options:
  --schema 2.1|2.2  the thai_gdc version to check against (default 2.2)
  --server          use the version and the scheming schema of the catalog in the configuration
  --config FILE     configuration file for --server (default: $THGOV_CONFIG or ./thgov.config.json)
  --json            print the result as JSON
  -h, --help        this help

Exit status: 0 when the metadata is valid (warnings allowed), 1 when it is not, 2 for usage errors.
`;

/** `thgov catalog publish --help`. */
export const CATALOG_PUBLISH_USAGE = `Usage: thgov catalog publish DATASET.json [--resource FILE [options]]

Creates the dataset described by DATASET.json in the catalog of the configuration (or updates it when its
name exists: only the given fields change), after checking it against the catalog's thai_gdc standard.
With --resource, uploads FILE as a resource (progress bar on a terminal); with --datastore, loads the
CSV's rows into the DataStore too (progress bar over rows).

Options:
  --resource FILE        file to upload (streamed; ASCII file name and explicit format sent)
  --resource-name NAME   resource name (default: the file name)
  --format FORMAT        resource format (default: the file extension)
  --datastore            load the CSV's rows into the DataStore
  --primary-key COLUMN   primary key of the table (repeatable)
  --field COLUMN:TYPE    a column's type (text, int, numeric, date, timestamp, bool); default text (repeatable)
  --allow-restricted     publish personal/secret data public or harvestable (refused by default)
  --allow-citizen-ids    upload a file holding citizen IDs (refused by default)
  --config FILE          configuration file (default: $THGOV_CONFIG or ./thgov.config.json)
  --json                 print the result as JSON
  -h, --help             this help

Exit status: 0 when published, 1 when the catalog or the checks refused it, 2 for usage errors.
`;

/** `thgov catalog search --help`. */
export const CATALOG_SEARCH_USAGE = `Usage: thgov catalog search [QUERY] [options]

Lists the catalog's datasets (package_search, paged; the catalog's rows_max is honoured).

Options:
  --fq FILTER     Solr filter query, e.g. organization:strategy-division or data_type:"ข้อมูลสถิติ"
  --limit N       at most N datasets (default 100)
  --private       include private datasets the token may read
  --config FILE   configuration file (default: $THGOV_CONFIG or ./thgov.config.json)
  --json          print JSON (id, name, title, organization, metadata_modified)
  -h, --help      this help

Exit status: 0 on success (also with no match), 1 when the catalog refused the search, 2 for usage errors.
`;

/** `thgov catalog status --help`. */
export const CATALOG_STATUS_USAGE = `Usage: thgov catalog status NAME [--json] [--config FILE]

Where a dataset stands at the central GD Catalog: harvested or not, its governance state (VALIDATE,
VALIDATE_MODIFIED, APPROVAL, WAIT_REVOKE, REVOKE, WAIT, DELETED, REJECT), when it was validated, and the
published copy's address.

Exit status: 0 when the state could be read (published or not), 1 when the catalog or the GD Catalog
harvester could not say, 2 for usage errors.
`;
