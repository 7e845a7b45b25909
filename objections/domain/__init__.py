"""Pure rules of the objection desk: no framework, no database, no clock."""
