#include "private_file.h"

namespace strata::ui {

bool openPrivateFile(QFile &file, QIODevice::OpenMode mode)
{
    constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner |
                                                    QFileDevice::WriteOwner |
                                                    QFileDevice::ReadUser | QFileDevice::WriteUser;
    // Qt creates a missing file with these permissions, never wider, whatever the umask.
    if (!file.open(mode, kOwnerOnly))
        return false;
    if (file.permissions() != kOwnerOnly)
        file.setPermissions(kOwnerOnly);
    return true;
}

} // namespace strata::ui
