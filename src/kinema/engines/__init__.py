"""Pure generators: decoded inputs and options in, files out. No HTTP, database, queue or storage here."""
