#pragma once

#include <QHash>
#include <QSqlDatabase>
#include <QString>

namespace tl {

// Label ids of the ledger (endpoint, provider, model, key names stored once each). Read from the
// `labels` table; a snapshot, not updated. Thread affinity: loaded on the thread owning `db`.
class Labels
{
public:
    enum Kind { Endpoint = 1, Provider = 2, Model = 3, Key = 4 };

    static Labels load(QSqlDatabase &db);

    QString name(qint64 id) const { return m_names.value(id); }
    // -1 when no label of that kind has that name.
    qint64 id(Kind kind, const QString &name) const { return m_ids.value(keyOf(kind, name), -1); }

private:
    static QString keyOf(Kind kind, const QString &name) { return QString::number(int(kind)) + u'\x1f' + name; }
    QHash<qint64, QString> m_names;
    QHash<QString, qint64> m_ids;
};

} // namespace tl
