"""Dense (FAISS) and lexical (BM25) indexes, persisted next to the catalog and swapped atomically."""
