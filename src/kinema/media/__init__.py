"""Media I/O: input fetching and probing, and the output encoders shared by the engines."""
