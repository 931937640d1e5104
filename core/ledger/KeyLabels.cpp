#include "KeyLabels.h"

#include "common/Logging.h"
#include "ledger/Database.h"

#include <QObject>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace tl::KeyLabels {

namespace {

bool isKeyChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
}

// A word that could be an API key: "sk-..." (OpenAI, Anthropic "sk-ant-...") or a long run of key
// characters that mixes letters and digits (most providers' keys and tokens).
bool looksLikeAKey(const QString &text)
{
    qsizetype i = 0;
    while (i < text.size()) {
        if (!isKeyChar(text[i])) {
            ++i;
            continue;
        }
        const qsizetype start = i;
        bool letters = false, digits = false;
        while (i < text.size() && isKeyChar(text[i])) {
            letters = letters || text[i].isLetter();
            digits = digits || text[i].isDigit();
            ++i;
        }
        const QStringView word = QStringView(text).mid(start, i - start);
        if (word.startsWith(u"sk-", Qt::CaseInsensitive) || (word.size() >= 20 && letters && digits))
            return true;
    }
    return false;
}

} // namespace

Result<QString> validate(const QString &label)
{
    const QString trimmed = label.trimmed();
    if (trimmed.size() > kMaxLength)
        return fail(ErrorCode::InvalidArgument,
                    QObject::tr("A key label can have at most %1 characters.").arg(kMaxLength));
    for (QChar c : trimmed) {
        if (c.category() == QChar::Other_Control)
            return fail(ErrorCode::InvalidArgument, QObject::tr("A key label cannot contain control characters."));
    }
    if (looksLikeAKey(trimmed))
        return fail(ErrorCode::InvalidArgument,
                    QObject::tr("A key label must not contain an API key or text that looks like one (a word starting "
                       "with \"sk-\", or 20 or more letters and digits in a row). Use a name such as "
                       "\"billing service\"."));
    return trimmed;
}

Result<QHash<QString, QString>> load(QSqlDatabase &db)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT key_hash, label FROM key_labels"_s))
        return fail(ErrorCode::Database, QObject::tr("Cannot read key labels: %1").arg(q.lastError().text()));
    QHash<QString, QString> labels;
    while (q.next())
        labels.insert(q.value(0).toString(), q.value(1).toString());
    return labels;
}

Result<void> set(QSqlDatabase &db, const QString &keyId, const QString &label)
{
    const Result<QString> valid = validate(label);
    if (!valid)
        return std::unexpected(valid.error());
    QSqlQuery known(db);
    known.prepare(u"SELECT 1 FROM labels WHERE kind = 4 AND name = ?"_s);
    known.addBindValue(Database::sqlText(keyId));
    if (!known.exec())
        return fail(ErrorCode::Database, QObject::tr("Cannot save the key label: %1").arg(known.lastError().text()));
    if (!known.next())
        return fail(ErrorCode::NotFound,
                    QObject::tr("No call in this ledger has the key identity \"%1\". Run `tokenledger report --by key` "
                       "to list the identities.")
                        .arg(keyId));
    QSqlQuery q(db);
    if (valid->isEmpty()) {
        q.prepare(u"DELETE FROM key_labels WHERE key_hash = ?"_s);
        q.addBindValue(Database::sqlText(keyId));
    } else {
        q.prepare(u"INSERT INTO key_labels (key_hash, label) VALUES (?, ?) "
                  u"ON CONFLICT (key_hash) DO UPDATE SET label = excluded.label"_s);
        q.addBindValue(Database::sqlText(keyId));
        q.addBindValue(*valid);
    }
    if (!q.exec())
        return fail(ErrorCode::Database, QObject::tr("Cannot save the key label: %1").arg(q.lastError().text()));
    qCInfo(lcLedger) << "key label" << (valid->isEmpty() ? "removed" : "set") << "for" << keyId;
    return {};
}

} // namespace tl::KeyLabels
