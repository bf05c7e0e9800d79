// Keeps a folder library linkable before its first source file lands.
