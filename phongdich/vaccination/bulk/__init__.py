"""The bulk path of the dose import: province files (millions of rows) without one save()
per row, deciding every row exactly as the per-row path (`imports.import_doses_per_row`).

1. The file is streamed (`lib.imports.TableStream`: the same columns, checks and
   line-numbered report) into a staging table: COPY on PostgreSQL, batched executemany on
   SQLite. All or nothing: a file with any bad line is refused before a dose is written.
2. People are matched set-based in SQL with the registry's rules (`people.services`,
   `_all_candidates` and `MatchScope`, as `services.match_person` reads them), inside the
   importer's jurisdiction: a person is the row's when exactly one live person in scope is
   a strong match (the same CCCD or held-back CCCD under the same folded name; or one of the
   first 20 records of the phone with the same folded name and birth year, not carrying
   another CCCD). Several strong matches: CONFLICT; only weaker candidates (the CCCD under
   another name, the phone alone, the name and birth year in the commune): WEAK; nobody:
   NO_MATCH. Those rows go to the review queue as `DoseReview`s, as the per-row path does.
3. Rows are decided in file order, batch after batch of lines: a source id already
   recorded, or the same person + dose number + day, changes nothing; the flags of a dose
   (rules.violations) are computed against the person's doses recorded so far, earlier
   lines of the file included. Inserts carry ON CONFLICT DO NOTHING, so a concurrent writer
   of the same dose (the form, the API) never makes a second one.

The whole import is one transaction under a key lock on the file's digest: two imports of
one file at once run one after the other, and the second finds everything recorded. It is
audited once, with its counts ("vaccination.import").
"""

from .driver import Progress, file_digest, import_doses_bulk

# The round sizes live in .tables (tables.BATCH, tables.SET_BATCH), read when a round
# starts: set them there, a copy here would change nothing.
__all__ = ["Progress", "file_digest", "import_doses_bulk"]
