#pragma once

#include "common/Result.h"
#include "routing/RoutingFeatures.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace tl::semantic {
class LocalEmbedder;
}
namespace tl::tokenizer {
class Tokenizers;
}

namespace tl::compress {

using routing::BodyShape;

struct FewShotExample
{
    QString input; // what the user says
    QString output; // what the assistant answers
    bool operator==(const FewShotExample &) const = default;
};

// A user-managed example set (issue #5 section 4). Requests name it with X-TokenLedger-FewShot.
struct FewShotSet
{
    QString name; // unique in a store
    QString endpoint; // the endpoint it belongs to ("" = any)
    QList<FewShotExample> examples;
    bool operator==(const FewShotSet &) const = default;
};

struct JsonlLineError
{
    int line = 0; // 1-based line number in the file
    QString message;
};

struct JsonlImport
{
    QList<FewShotExample> examples;
    QList<JsonlLineError> errors; // bad lines, skipped; blank lines are neither examples nor errors
};

// Reads JSONL: one {"input": "...", "output": "..."} object a line (both non-empty strings; other
// members ignored; a UTF-8 BOM and "\r\n" are accepted). A line that is not such an object is
// reported with its line number and skipped; the rest still imports. Pure.
JsonlImport importJsonl(const QByteArray &data);

// Example sets persisted in one JSON file (documented choice: sets are small and edited by hand or in
// the UI; the file is diff-able and written atomically with QSaveFile):
//   {"version": 1, "sets": [{"name": "...", "endpoint": "...",
//                            "examples": [{"input": "...", "output": "..."}]}]}
// Thread affinity: none (no Qt objects); not synchronised, one owner at a time. The proxy loads a copy
// on start and when the UI saves. Errors: Io (cannot read/write), Parse (bad JSON or shape, with the
// reason); load() of a missing file gives an empty store.
class FewShotStore
{
public:
    explicit FewShotStore(QString path);

    Result<void> load();
    Result<void> save() const;

    const QList<FewShotSet> &sets() const { return m_sets; }
    const FewShotSet *find(const QString &name) const;
    void upsert(FewShotSet set); // replaces the set with the same name, else appends
    bool remove(const QString &name);

    static QJsonObject toJson(const QList<FewShotSet> &sets);
    static Result<QList<FewShotSet>> fromJson(const QJsonObject &o);

private:
    QString m_path;
    QList<FewShotSet> m_sets;
};

// The examples chosen for one request, with the token accounting the simulator reports.
struct FewShotSelection
{
    QList<int> indices; // into the set's examples, most similar first
    QList<float> similarities; // cosine in [-1, 1], same order
    qint64 insertedTokens = 0; // prompt tokens the inserted user/assistant messages add
    qint64 wholeSetTokens = 0; // prompt tokens if every example of the set were inserted
    qint64 savedTokens() const { return wholeSetTokens - insertedTokens; }
};

// Selects the k most similar examples of a set for a request and inserts them.
//
// Similarity: cosine of semantic::LocalEmbedder vectors (hashed word and character n-grams, a
// lexical measure; see LocalEmbedder.h) between the request's last user message and each example's
// input. Ties keep the set's order. Example vectors and token counts are computed once, when the
// index is built; select() embeds only the query (about 1-2 us per character).
// Token counts: ChatTokenCounter message rules for `model` (3 per message + role + content), exact for
// OpenAI models, estimates otherwise.
// Thread-safe: const after construction.
class FewShotIndex
{
public:
    // Errors: the tokenizer's load error. `embedder` and `tokenizers` must outlive the index.
    static Result<FewShotIndex> build(FewShotSet set, const semantic::LocalEmbedder &embedder,
                                      const tokenizer::Tokenizers &tokenizers, const QString &model);

    const FewShotSet &set() const { return m_set; }
    // k is clamped to 1..3 and to the set's size; an empty set gives an empty selection.
    FewShotSelection select(QStringView lastUserMessage, int k) const;

private:
    FewShotIndex() = default;
    FewShotSet m_set;
    const semantic::LocalEmbedder *m_embedder = nullptr;
    int m_dims = 0;
    std::vector<float> m_vectors; // examples x dims
    QList<qint64> m_exampleTokens; // tokens of the user+assistant pair of each example
};

// The text of the last user message of a body (ChatCompletions / Messages: the last role "user"
// message's text parts, tool results excluded; Responses: "input" when a string, else the last user
// item's text). "" when there is none.
QString lastUserMessage(const QJsonObject &body, BodyShape shape);

// `body` with the selected examples inserted as user/assistant message pairs, most similar last (next
// to the real question): ChatCompletions after the leading system/developer messages; Messages at the
// start of "messages" (the system prompt is top-level); Responses: as message items at the start of
// "input" (a string input becomes a user message item). Pure.
QJsonObject insertExamples(const QJsonObject &body, BodyShape shape, const FewShotSet &set,
                           const FewShotSelection &selection);

} // namespace tl::compress
