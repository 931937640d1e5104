#include "Labels.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace tl {

Labels Labels::load(QSqlDatabase &db)
{
    Labels labels;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.exec(u"SELECT id, kind, name FROM labels"_s);
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        const QString name = q.value(2).toString();
        labels.m_names.insert(id, name);
        labels.m_ids.insert(keyOf(Kind(q.value(1).toInt()), name), id);
    }
    return labels;
}

} // namespace tl
