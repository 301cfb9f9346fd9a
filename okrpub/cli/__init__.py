"""The command line: one module per command, assembled by :mod:`okrpub.cli.main`;
process-wide settings in :mod:`okrpub.cli.process`."""
