#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

int main() {
    std::string a, b;
    std::cin >> a >> b;
    std::vector<std::vector<int>> L(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (size_t i = 1; i <= a.size(); i++) {
        for (size_t j = 1; j <= b.size(); j++) {
            L[i][j] = a[i - 1] == b[j - 1] ? L[i - 1][j - 1] + 1
                                           : std::max(L[i - 1][j], L[i][j - 1]);
        }
    }
    std::cout << L[a.size()][b.size()] << '\n';
}
