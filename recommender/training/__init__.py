"""Training our own text encoders from public taxonomy data.

The pieces, in the order a training run uses them:

- ``knowledge``: reads the public sources (大典 2022, MOE major profiles and 专业—职业 tables, O*NET, CIP and
  the benchmarks' knowledge files) into one graph of entities (occupations, majors, programs) and known links.
- ``pairs``: turns the graph into contrastive training examples (anchor, positive, hard negative) per epoch.
- ``tokenizer``: builds a Chinese + English tokenizer (jieba-derived Chinese words and characters, English
  unigram pieces) for a static embedding model.
- ``static_encoder``: trains a ``sentence_transformers`` ``StaticEmbedding`` model with an in-batch
  contrastive loss and saves it as a self-contained, offline-loadable model folder.
- ``dense_eval``: dense-only evaluation on the benchmarks (query text vs item text, cosine top-100).
"""
