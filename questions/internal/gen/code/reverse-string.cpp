#include <iostream>
#include <string>

int main() {
    std::string s;
    std::cin >> s;
    // TODO: reverse s.
    std::cout << s << '\n';
    return 0;
}
