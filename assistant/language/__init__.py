"""Words, stems, language detection, the glossary and the Swedish → English bridge.

Staff ask in Swedish; most regulations they rely on are English. The lexical side stems words
with the document's language, expands a question with glossary synonyms, and builds an English
pseudo-query from a Swedish question, which also goes through the embedding model.

Modules: `detect` (which language a question or a document is in), `tokens` (words, stop words,
stems, lexical query tokens), `glossary`, `lexicon` (the hand list and Folkets lexikon),
`bridge` (the dictionary filtered by an index), `cognates` (Swedish words matched by spelling to
the index's English words), `align` (English terms of an index, matched by embedding),
`translate` (the per-thread registry and the pseudo-query), `countries`.
"""

from __future__ import annotations

from .align import (
    ALIGN_MARGIN,
    ALIGN_MIN,
    MAX_ALIGNED_WORDS,
    MAX_PHRASES,
    PHRASE_MIN_COUNT,
    TermAligner,
    collect_terms,
    frequent_phrases,
)
from .bridge import MAX_DF_SHARE, MAX_SENSES, MIN_OCCURRENCES, Bridge, build_bridge
from .countries import COUNTRY_CODES
from .detect import (
    document_language,
    normalize_language,
    question_language,
)
from .glossary import GlossaryGroup, expand_with_glossary, load_glossary
from .lexicon import LEXICON_FILE, load_lexicon
from .tokens import STOP, both_stems, query_tokens, split_query_tokens, stemmer, stems, words
from .translate import (
    CHATTER,
    aligned_terms,
    pseudo_translate,
    question_word_forms,
    swedish_query,
    swedish_stems,
    use_bridge,
)

# The name callers have always used for a question's language.
detect_language = question_language

__all__ = [
    "ALIGN_MARGIN",
    "ALIGN_MIN",
    "CHATTER",
    "COUNTRY_CODES",
    "LEXICON_FILE",
    "MAX_ALIGNED_WORDS",
    "MAX_DF_SHARE",
    "MAX_PHRASES",
    "MAX_SENSES",
    "MIN_OCCURRENCES",
    "PHRASE_MIN_COUNT",
    "STOP",
    "Bridge",
    "GlossaryGroup",
    "TermAligner",
    "aligned_terms",
    "both_stems",
    "build_bridge",
    "collect_terms",
    "detect_language",
    "document_language",
    "expand_with_glossary",
    "frequent_phrases",
    "load_glossary",
    "load_lexicon",
    "normalize_language",
    "pseudo_translate",
    "query_tokens",
    "question_language",
    "question_word_forms",
    "swedish_query",
    "swedish_stems",
    "split_query_tokens",
    "stemmer",
    "stems",
    "use_bridge",
    "words",
]
