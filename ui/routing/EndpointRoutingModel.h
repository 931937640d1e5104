#pragma once

#include "routing/RouterConfig.h"

#include <QAbstractTableModel>
#include <QMap>

namespace tl {

// The router's per-endpoint settings as an editable table, "*" (shown as "(other endpoints)") first,
// then endpoints by name. EditRole: Mode is an int of routing::RouteMode, TaskType the default task
// type (QString); AllowCostIncrease is checkable. Rules shows whether the endpoint has its own rule
// list or the built-in defaults (read-only: the rules table below edits them). Emits endpointsEdited()
// on every change made through the model. Thread affinity: GUI thread.
class EndpointRoutingModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointRoutingModel)

public:
    using Endpoints = QMap<QString, routing::EndpointRouting>;
    enum Column { Endpoint, Mode, AllowCostIncrease, TaskType, Rules, ColumnCount };
    enum Role { NameRole = Qt::UserRole + 1 }; // the endpoint key ("*" for other endpoints)

    explicit EndpointRoutingModel(QObject *parent = nullptr);

    void setEndpoints(const Endpoints &endpoints); // adds "*" when absent
    const Endpoints &endpoints() const { return m_endpoints; }
    QString nameAt(int row) const;
    int rowOf(const QString &name) const; // -1 when absent

    // Adds an endpoint with the settings of "*" (own rules copied when "*" has them); returns its row,
    // or -1 if it exists or the name is empty.
    int addEndpoint(const QString &name);
    bool removeEndpoint(const QString &name); // "*" cannot be removed
    // Replaces one endpoint's rules (nullopt = the built-in defaults).
    void setRules(const QString &name, const std::optional<QList<routing::ComplexityRule>> &rules);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString modeName(routing::RouteMode m); // translated "Off", "Shadow (record only)", "On"
    static QString displayName(const QString &endpoint); // "(other endpoints)" for "*"

Q_SIGNALS:
    void endpointsEdited();

private:
    QStringList order() const; // "*" first, then the others by name
    Endpoints m_endpoints;
};

} // namespace tl
