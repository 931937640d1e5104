#pragma once

#include <QMainWindow>

namespace tl {

class Ledger;
class Settings;

// The main window: dashboard, pricing page and (later) proxy, simulator and batch pages.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    MainWindow(Ledger &ledger, Settings &settings, QWidget *parent = nullptr);

private:
    Ledger &m_ledger;
    Settings &m_settings;
};

} // namespace tl
