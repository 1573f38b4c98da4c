#include <iostream>
#include <set>

struct DriverPoint { int x, y; };

int solve(int n);

int main() {
    std::set<DriverPoint> driver_seen;
    driver_seen.insert(DriverPoint{solve(1), 2});
    std::cout << driver_seen.size() << '\n';
    return 0;
}
