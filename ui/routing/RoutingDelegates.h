#pragma once

#include <QStyledItemDelegate>

#include <functional>

namespace tl {

// Cell editors of the routing tables, chosen per column: a combo box of fixed choices (EditRole is
// the choice's int), a spin box for a non-negative limit whose lowest value means "no limit" (shown as
// `specialText`), and a line edit completing from names the column offers (price-book models, task
// types). Other columns get the default editor. Thread affinity: GUI thread.
class RoutingDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingDelegate)

public:
    explicit RoutingDelegate(QObject *parent = nullptr);

    void setChoices(int column, const QList<std::pair<QString, int>> &choices);
    // `lowest` (-1 or 0) is shown as `specialText`; values up to `maximum`.
    void setLimit(int column, int lowest, const QString &specialText, int maximum = 100'000'000);
    void setCompletions(int column, std::function<QStringList(const QModelIndex &)> names);

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;

private:
    struct Limit
    {
        int lowest = -1;
        QString specialText;
        int maximum = 0;
    };
    QHash<int, QList<std::pair<QString, int>>> m_choices;
    QHash<int, Limit> m_limits;
    QHash<int, std::function<QStringList(const QModelIndex &)>> m_completions;
};

} // namespace tl
