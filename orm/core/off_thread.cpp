#include "orm/core/off_thread.h"

#include <algorithm>

namespace orm {

QThreadPool &backgroundPool()
{
    // Never destroyed: leaving the program does not wait for work still in flight.
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool;
        p->setObjectName(QStringLiteral("strata-background"));
        p->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        return p;
    }();
    return *pool;
}

} // namespace orm
