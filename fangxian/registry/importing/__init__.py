"""Importing residents from Excel and CSV: reading, header recognition, normalisation, validation, writing.

`reader` turns an upload into rows of cells (refusing zip and entity bombs before any parsing),
`headers` finds the header row and guesses the mapping, `cells` normalises messy cells, `rows`
validates a row into a `ResidentRow` or a list of errors, and `writer` appends residents in
batches, one transaction each, with the personal-field columns computed as the field would.
"""
