from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Field(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FIELD_TEXT: _ClassVar[Field]
    FIELD_TITLE: _ClassVar[Field]

class Learner(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEARNER_NAIVE_BAYES_ONE_VS_REST: _ClassVar[Learner]
    LEARNER_MULTINOMIAL: _ClassVar[Learner]
    LEARNER_NAIVE_BAYES_PLUS_PLAIN: _ClassVar[Learner]
FIELD_TEXT: Field
FIELD_TITLE: Field
LEARNER_NAIVE_BAYES_ONE_VS_REST: Learner
LEARNER_MULTINOMIAL: Learner
LEARNER_NAIVE_BAYES_PLUS_PLAIN: Learner

class Article(_message.Message):
    __slots__ = ("id", "title", "text")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    text: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class Token(_message.Message):
    __slots__ = ("text", "start", "end", "field")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    text: str
    start: int
    end: int
    field: Field
    def __init__(self, text: _Optional[str] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., field: _Optional[_Union[Field, str]] = ...) -> None: ...

class TokenizeRequest(_message.Message):
    __slots__ = ("article",)
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    article: Article
    def __init__(self, article: _Optional[_Union[Article, _Mapping]] = ...) -> None: ...

class TokenizeResponse(_message.Message):
    __slots__ = ("tokens", "model_version")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedCompositeFieldContainer[Token]
    model_version: str
    def __init__(self, tokens: _Optional[_Iterable[_Union[Token, _Mapping]]] = ..., model_version: _Optional[str] = ...) -> None: ...

class Feature(_message.Message):
    __slots__ = ("index", "term", "weight")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    index: int
    term: str
    weight: float
    def __init__(self, index: _Optional[int] = ..., term: _Optional[str] = ..., weight: _Optional[float] = ...) -> None: ...

class VectorizeRequest(_message.Message):
    __slots__ = ("article",)
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    article: Article
    def __init__(self, article: _Optional[_Union[Article, _Mapping]] = ...) -> None: ...

class VectorizeResponse(_message.Message):
    __slots__ = ("features", "dimensions", "model_version")
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    features: _containers.RepeatedCompositeFieldContainer[Feature]
    dimensions: int
    model_version: str
    def __init__(self, features: _Optional[_Iterable[_Union[Feature, _Mapping]]] = ..., dimensions: _Optional[int] = ..., model_version: _Optional[str] = ...) -> None: ...

class ClassifyRequest(_message.Message):
    __slots__ = ("article", "explain", "sentences", "relations")
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    RELATIONS_FIELD_NUMBER: _ClassVar[int]
    article: Article
    explain: int
    sentences: bool
    relations: bool
    def __init__(self, article: _Optional[_Union[Article, _Mapping]] = ..., explain: _Optional[int] = ..., sentences: _Optional[bool] = ..., relations: _Optional[bool] = ...) -> None: ...

class LabelProbability(_message.Message):
    __slots__ = ("label", "probability")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    label: str
    probability: float
    def __init__(self, label: _Optional[str] = ..., probability: _Optional[float] = ...) -> None: ...

class Prediction(_message.Message):
    __slots__ = ("label", "probability", "probabilities", "evidence")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    label: str
    probability: float
    probabilities: _containers.RepeatedCompositeFieldContainer[LabelProbability]
    evidence: _containers.RepeatedCompositeFieldContainer[Feature]
    def __init__(self, label: _Optional[str] = ..., probability: _Optional[float] = ..., probabilities: _Optional[_Iterable[_Union[LabelProbability, _Mapping]]] = ..., evidence: _Optional[_Iterable[_Union[Feature, _Mapping]]] = ...) -> None: ...

class ClassifyResponse(_message.Message):
    __slots__ = ("id", "predictions", "model_version", "sentences", "actors", "relations")
    class PredictionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Prediction
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Prediction, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    ACTORS_FIELD_NUMBER: _ClassVar[int]
    RELATIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    predictions: _containers.MessageMap[str, Prediction]
    model_version: str
    sentences: _containers.RepeatedCompositeFieldContainer[SentenceStance]
    actors: _containers.RepeatedCompositeFieldContainer[Actor]
    relations: _containers.RepeatedCompositeFieldContainer[Relation]
    def __init__(self, id: _Optional[str] = ..., predictions: _Optional[_Mapping[str, Prediction]] = ..., model_version: _Optional[str] = ..., sentences: _Optional[_Iterable[_Union[SentenceStance, _Mapping]]] = ..., actors: _Optional[_Iterable[_Union[Actor, _Mapping]]] = ..., relations: _Optional[_Iterable[_Union[Relation, _Mapping]]] = ...) -> None: ...

class TextSpan(_message.Message):
    __slots__ = ("start", "end", "field")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    field: Field
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ..., field: _Optional[_Union[Field, str]] = ...) -> None: ...

class Actor(_message.Message):
    __slots__ = ("code", "name", "kind", "mentions", "mention_count")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MENTIONS_FIELD_NUMBER: _ClassVar[int]
    MENTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    kind: str
    mentions: _containers.RepeatedCompositeFieldContainer[TextSpan]
    mention_count: int
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[str] = ..., mentions: _Optional[_Iterable[_Union[TextSpan, _Mapping]]] = ..., mention_count: _Optional[int] = ...) -> None: ...

class Relation(_message.Message):
    __slots__ = ("a", "b", "label", "probability", "main", "evidence")
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    MAIN_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    a: str
    b: str
    label: str
    probability: float
    main: bool
    evidence: _containers.RepeatedCompositeFieldContainer[TextSpan]
    def __init__(self, a: _Optional[str] = ..., b: _Optional[str] = ..., label: _Optional[str] = ..., probability: _Optional[float] = ..., main: _Optional[bool] = ..., evidence: _Optional[_Iterable[_Union[TextSpan, _Mapping]]] = ...) -> None: ...

class SentenceStance(_message.Message):
    __slots__ = ("start", "end", "label", "probability", "field")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    label: str
    probability: float
    field: Field
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ..., label: _Optional[str] = ..., probability: _Optional[float] = ..., field: _Optional[_Union[Field, str]] = ...) -> None: ...

class ClassifyBatchRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[ClassifyRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[ClassifyRequest, _Mapping]]] = ...) -> None: ...

class ClassifyBatchResponse(_message.Message):
    __slots__ = ("responses",)
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[ClassifyResponse]
    def __init__(self, responses: _Optional[_Iterable[_Union[ClassifyResponse, _Mapping]]] = ...) -> None: ...

class GetModelInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConfusionRow(_message.Message):
    __slots__ = ("label", "predicted")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_FIELD_NUMBER: _ClassVar[int]
    label: str
    predicted: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, label: _Optional[str] = ..., predicted: _Optional[_Iterable[int]] = ...) -> None: ...

class HeadMetrics(_message.Message):
    __slots__ = ("accuracy", "macro_f1", "train_documents", "test_documents", "confusion", "expected_calibration_error", "temperature")
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    MACRO_F1_FIELD_NUMBER: _ClassVar[int]
    TRAIN_DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    TEST_DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    CONFUSION_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CALIBRATION_ERROR_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    accuracy: float
    macro_f1: float
    train_documents: int
    test_documents: int
    confusion: _containers.RepeatedCompositeFieldContainer[ConfusionRow]
    expected_calibration_error: float
    temperature: float
    def __init__(self, accuracy: _Optional[float] = ..., macro_f1: _Optional[float] = ..., train_documents: _Optional[int] = ..., test_documents: _Optional[int] = ..., confusion: _Optional[_Iterable[_Union[ConfusionRow, _Mapping]]] = ..., expected_calibration_error: _Optional[float] = ..., temperature: _Optional[float] = ...) -> None: ...

class HeadInfo(_message.Message):
    __slots__ = ("name", "labels", "metrics", "single_sentence_metrics", "metrics_on_single_sentences")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    SINGLE_SENTENCE_METRICS_FIELD_NUMBER: _ClassVar[int]
    METRICS_ON_SINGLE_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    name: str
    labels: _containers.RepeatedScalarFieldContainer[str]
    metrics: HeadMetrics
    single_sentence_metrics: HeadMetrics
    metrics_on_single_sentences: HeadMetrics
    def __init__(self, name: _Optional[str] = ..., labels: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Union[HeadMetrics, _Mapping]] = ..., single_sentence_metrics: _Optional[_Union[HeadMetrics, _Mapping]] = ..., metrics_on_single_sentences: _Optional[_Union[HeadMetrics, _Mapping]] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("version", "created", "corpus_digest", "corpus_documents", "dimensions", "heads", "config", "article_validation", "cross_validation", "relation_validation")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    CORPUS_DIGEST_FIELD_NUMBER: _ClassVar[int]
    CORPUS_DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_VALIDATION_FIELD_NUMBER: _ClassVar[int]
    CROSS_VALIDATION_FIELD_NUMBER: _ClassVar[int]
    RELATION_VALIDATION_FIELD_NUMBER: _ClassVar[int]
    version: str
    created: str
    corpus_digest: str
    corpus_documents: int
    dimensions: int
    heads: _containers.RepeatedCompositeFieldContainer[HeadInfo]
    config: TrainConfig
    article_validation: ArticleValidation
    cross_validation: CrossValidation
    relation_validation: RelationValidation
    def __init__(self, version: _Optional[str] = ..., created: _Optional[str] = ..., corpus_digest: _Optional[str] = ..., corpus_documents: _Optional[int] = ..., dimensions: _Optional[int] = ..., heads: _Optional[_Iterable[_Union[HeadInfo, _Mapping]]] = ..., config: _Optional[_Union[TrainConfig, _Mapping]] = ..., article_validation: _Optional[_Union[ArticleValidation, _Mapping]] = ..., cross_validation: _Optional[_Union[CrossValidation, _Mapping]] = ..., relation_validation: _Optional[_Union[RelationValidation, _Mapping]] = ...) -> None: ...

class TrainConfig(_message.Message):
    __slots__ = ("seed", "test_fraction", "tokenizer", "vectorizer", "head_features", "l2", "l2_by_head", "max_iterations", "learners", "refit_on_all", "calibrate", "article_stance", "sentence_head", "balance_sentence_labels", "sentence_head_without_names", "heads_without_names", "sentence_head_prefixes", "sentence_head_word_vectors", "word_vectors_l2")
    class L2ByHeadEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class LearnersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Learner
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Learner, str]] = ...) -> None: ...
    SEED_FIELD_NUMBER: _ClassVar[int]
    TEST_FRACTION_FIELD_NUMBER: _ClassVar[int]
    TOKENIZER_FIELD_NUMBER: _ClassVar[int]
    VECTORIZER_FIELD_NUMBER: _ClassVar[int]
    HEAD_FEATURES_FIELD_NUMBER: _ClassVar[int]
    L2_FIELD_NUMBER: _ClassVar[int]
    L2_BY_HEAD_FIELD_NUMBER: _ClassVar[int]
    MAX_ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    REFIT_ON_ALL_FIELD_NUMBER: _ClassVar[int]
    CALIBRATE_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_STANCE_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_HEAD_FIELD_NUMBER: _ClassVar[int]
    BALANCE_SENTENCE_LABELS_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_HEAD_WITHOUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    HEADS_WITHOUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_HEAD_PREFIXES_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_HEAD_WORD_VECTORS_FIELD_NUMBER: _ClassVar[int]
    WORD_VECTORS_L2_FIELD_NUMBER: _ClassVar[int]
    seed: int
    test_fraction: float
    tokenizer: TokenizerSettings
    vectorizer: VectorizerSettings
    head_features: int
    l2: float
    l2_by_head: _containers.ScalarMap[str, float]
    max_iterations: int
    learners: _containers.ScalarMap[str, Learner]
    refit_on_all: bool
    calibrate: bool
    article_stance: ArticleStanceRule
    sentence_head: bool
    balance_sentence_labels: bool
    sentence_head_without_names: bool
    heads_without_names: _containers.RepeatedScalarFieldContainer[str]
    sentence_head_prefixes: int
    sentence_head_word_vectors: float
    word_vectors_l2: float
    def __init__(self, seed: _Optional[int] = ..., test_fraction: _Optional[float] = ..., tokenizer: _Optional[_Union[TokenizerSettings, _Mapping]] = ..., vectorizer: _Optional[_Union[VectorizerSettings, _Mapping]] = ..., head_features: _Optional[int] = ..., l2: _Optional[float] = ..., l2_by_head: _Optional[_Mapping[str, float]] = ..., max_iterations: _Optional[int] = ..., learners: _Optional[_Mapping[str, Learner]] = ..., refit_on_all: _Optional[bool] = ..., calibrate: _Optional[bool] = ..., article_stance: _Optional[_Union[ArticleStanceRule, _Mapping]] = ..., sentence_head: _Optional[bool] = ..., balance_sentence_labels: _Optional[bool] = ..., sentence_head_without_names: _Optional[bool] = ..., heads_without_names: _Optional[_Iterable[str]] = ..., sentence_head_prefixes: _Optional[int] = ..., sentence_head_word_vectors: _Optional[float] = ..., word_vectors_l2: _Optional[float] = ...) -> None: ...

class TokenizerSettings(_message.Message):
    __slots__ = ("version", "lowercase", "max_token_bytes")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LOWERCASE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKEN_BYTES_FIELD_NUMBER: _ClassVar[int]
    version: int
    lowercase: bool
    max_token_bytes: int
    def __init__(self, version: _Optional[int] = ..., lowercase: _Optional[bool] = ..., max_token_bytes: _Optional[int] = ...) -> None: ...

class VectorizerSettings(_message.Message):
    __slots__ = ("max_ngram", "min_df", "max_features", "sublinear_tf")
    MAX_NGRAM_FIELD_NUMBER: _ClassVar[int]
    MIN_DF_FIELD_NUMBER: _ClassVar[int]
    MAX_FEATURES_FIELD_NUMBER: _ClassVar[int]
    SUBLINEAR_TF_FIELD_NUMBER: _ClassVar[int]
    max_ngram: int
    min_df: int
    max_features: int
    sublinear_tf: bool
    def __init__(self, max_ngram: _Optional[int] = ..., min_df: _Optional[int] = ..., max_features: _Optional[int] = ..., sublinear_tf: _Optional[bool] = ...) -> None: ...

class ArticleStanceRule(_message.Message):
    __slots__ = ("stance_head", "topic_head", "relation_label", "neutral_label", "exponent")
    STANCE_HEAD_FIELD_NUMBER: _ClassVar[int]
    TOPIC_HEAD_FIELD_NUMBER: _ClassVar[int]
    RELATION_LABEL_FIELD_NUMBER: _ClassVar[int]
    NEUTRAL_LABEL_FIELD_NUMBER: _ClassVar[int]
    EXPONENT_FIELD_NUMBER: _ClassVar[int]
    stance_head: str
    topic_head: str
    relation_label: str
    neutral_label: str
    exponent: float
    def __init__(self, stance_head: _Optional[str] = ..., topic_head: _Optional[str] = ..., relation_label: _Optional[str] = ..., neutral_label: _Optional[str] = ..., exponent: _Optional[float] = ...) -> None: ...

class ArticleValidation(_message.Message):
    __slots__ = ("documents", "digest", "heads", "stance_non_neutral", "exponent", "exponent_scores", "baseline")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    STANCE_NON_NEUTRAL_FIELD_NUMBER: _ClassVar[int]
    EXPONENT_FIELD_NUMBER: _ClassVar[int]
    EXPONENT_SCORES_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    documents: int
    digest: str
    heads: _containers.RepeatedCompositeFieldContainer[ValidationFigure]
    stance_non_neutral: ValidationFigure
    exponent: float
    exponent_scores: _containers.RepeatedCompositeFieldContainer[ExponentScore]
    baseline: _containers.RepeatedCompositeFieldContainer[ValidationFigure]
    def __init__(self, documents: _Optional[int] = ..., digest: _Optional[str] = ..., heads: _Optional[_Iterable[_Union[ValidationFigure, _Mapping]]] = ..., stance_non_neutral: _Optional[_Union[ValidationFigure, _Mapping]] = ..., exponent: _Optional[float] = ..., exponent_scores: _Optional[_Iterable[_Union[ExponentScore, _Mapping]]] = ..., baseline: _Optional[_Iterable[_Union[ValidationFigure, _Mapping]]] = ...) -> None: ...

class ValidationFigure(_message.Message):
    __slots__ = ("head", "documents", "accuracy", "macro_f1")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    MACRO_F1_FIELD_NUMBER: _ClassVar[int]
    head: str
    documents: int
    accuracy: float
    macro_f1: float
    def __init__(self, head: _Optional[str] = ..., documents: _Optional[int] = ..., accuracy: _Optional[float] = ..., macro_f1: _Optional[float] = ...) -> None: ...

class ExponentScore(_message.Message):
    __slots__ = ("exponent", "macro_f1")
    EXPONENT_FIELD_NUMBER: _ClassVar[int]
    MACRO_F1_FIELD_NUMBER: _ClassVar[int]
    exponent: float
    macro_f1: float
    def __init__(self, exponent: _Optional[float] = ..., macro_f1: _Optional[float] = ...) -> None: ...

class CrossValidation(_message.Message):
    __slots__ = ("folds", "baseline", "heads", "single_sentences")
    FOLDS_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    SINGLE_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    folds: int
    baseline: str
    heads: _containers.RepeatedCompositeFieldContainer[HeadFolds]
    single_sentences: SentenceFolds
    def __init__(self, folds: _Optional[int] = ..., baseline: _Optional[str] = ..., heads: _Optional[_Iterable[_Union[HeadFolds, _Mapping]]] = ..., single_sentences: _Optional[_Union[SentenceFolds, _Mapping]] = ...) -> None: ...

class FoldScore(_message.Message):
    __slots__ = ("documents", "accuracy", "macro_f1")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    MACRO_F1_FIELD_NUMBER: _ClassVar[int]
    documents: int
    accuracy: float
    macro_f1: float
    def __init__(self, documents: _Optional[int] = ..., accuracy: _Optional[float] = ..., macro_f1: _Optional[float] = ...) -> None: ...

class HeadFolds(_message.Message):
    __slots__ = ("head", "accord", "baseline")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    ACCORD_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    head: str
    accord: _containers.RepeatedCompositeFieldContainer[FoldScore]
    baseline: _containers.RepeatedCompositeFieldContainer[FoldScore]
    def __init__(self, head: _Optional[str] = ..., accord: _Optional[_Iterable[_Union[FoldScore, _Mapping]]] = ..., baseline: _Optional[_Iterable[_Union[FoldScore, _Mapping]]] = ...) -> None: ...

class SentenceFolds(_message.Message):
    __slots__ = ("head", "accord", "stance_head", "baseline")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    ACCORD_FIELD_NUMBER: _ClassVar[int]
    STANCE_HEAD_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    head: str
    accord: _containers.RepeatedCompositeFieldContainer[FoldScore]
    stance_head: _containers.RepeatedCompositeFieldContainer[FoldScore]
    baseline: _containers.RepeatedCompositeFieldContainer[FoldScore]
    def __init__(self, head: _Optional[str] = ..., accord: _Optional[_Iterable[_Union[FoldScore, _Mapping]]] = ..., stance_head: _Optional[_Iterable[_Union[FoldScore, _Mapping]]] = ..., baseline: _Optional[_Iterable[_Union[FoldScore, _Mapping]]] = ...) -> None: ...

class RelationValidation(_message.Message):
    __slots__ = ("stories", "digest", "relations", "baseline", "article_stance")
    STORIES_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    RELATIONS_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_STANCE_FIELD_NUMBER: _ClassVar[int]
    stories: int
    digest: str
    relations: PairFigures
    baseline: PairFigures
    article_stance: _containers.RepeatedCompositeFieldContainer[StanceFigure]
    def __init__(self, stories: _Optional[int] = ..., digest: _Optional[str] = ..., relations: _Optional[_Union[PairFigures, _Mapping]] = ..., baseline: _Optional[_Union[PairFigures, _Mapping]] = ..., article_stance: _Optional[_Iterable[_Union[StanceFigure, _Mapping]]] = ...) -> None: ...

class PairFigures(_message.Message):
    __slots__ = ("true_pairs", "predicted", "labeled", "stance_right", "with_main", "main_found", "without_relation", "answered_none", "precision", "recall", "f1", "main_recall", "stance_accuracy", "none_share")
    TRUE_PAIRS_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_FIELD_NUMBER: _ClassVar[int]
    LABELED_FIELD_NUMBER: _ClassVar[int]
    STANCE_RIGHT_FIELD_NUMBER: _ClassVar[int]
    WITH_MAIN_FIELD_NUMBER: _ClassVar[int]
    MAIN_FOUND_FIELD_NUMBER: _ClassVar[int]
    WITHOUT_RELATION_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_NONE_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    RECALL_FIELD_NUMBER: _ClassVar[int]
    F1_FIELD_NUMBER: _ClassVar[int]
    MAIN_RECALL_FIELD_NUMBER: _ClassVar[int]
    STANCE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    NONE_SHARE_FIELD_NUMBER: _ClassVar[int]
    true_pairs: int
    predicted: int
    labeled: int
    stance_right: int
    with_main: int
    main_found: int
    without_relation: int
    answered_none: int
    precision: float
    recall: float
    f1: float
    main_recall: float
    stance_accuracy: float
    none_share: float
    def __init__(self, true_pairs: _Optional[int] = ..., predicted: _Optional[int] = ..., labeled: _Optional[int] = ..., stance_right: _Optional[int] = ..., with_main: _Optional[int] = ..., main_found: _Optional[int] = ..., without_relation: _Optional[int] = ..., answered_none: _Optional[int] = ..., precision: _Optional[float] = ..., recall: _Optional[float] = ..., f1: _Optional[float] = ..., main_recall: _Optional[float] = ..., stance_accuracy: _Optional[float] = ..., none_share: _Optional[float] = ...) -> None: ...

class StanceFigure(_message.Message):
    __slots__ = ("relations", "rule", "macro_f1", "cooperation_vs_tension")
    RELATIONS_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    MACRO_F1_FIELD_NUMBER: _ClassVar[int]
    COOPERATION_VS_TENSION_FIELD_NUMBER: _ClassVar[int]
    relations: str
    rule: str
    macro_f1: float
    cooperation_vs_tension: float
    def __init__(self, relations: _Optional[str] = ..., rule: _Optional[str] = ..., macro_f1: _Optional[float] = ..., cooperation_vs_tension: _Optional[float] = ...) -> None: ...
