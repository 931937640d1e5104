#include "MainWindow.h"

#include "ledger/Ledger.h"
#include "settings/Settings.h"

namespace tl {

MainWindow::MainWindow(Ledger &ledger, Settings &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_ledger(ledger)
    , m_settings(settings)
{
    setWindowTitle(tr("TokenLedger"));
    resize(1280, 800);
}

} // namespace tl
