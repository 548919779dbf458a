"""The index format both floors share: schema, analysis, field encoding, generations, the
writer and the ranking configuration."""
