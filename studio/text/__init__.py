"""Text: fitted tokenizers as data (:mod:`studio.text.spec`) and their fitting on the training split
(:mod:`studio.text.fit`, options in :mod:`studio.text.params`). See docs/engine-api.md, "Text and sequences"."""
