#include <iostream>
#include <string>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int t;
    std::cin >> t;
    while (t--) {
        std::string s, stack;
        std::cin >> s;
        bool ok = true;
        for (char c : s) {
            if (c == '(' || c == '[' || c == '{') {
                stack.push_back(c);
            } else {
                char want = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (stack.empty() || stack.back() != want) {
                    ok = false;
                    break;
                }
                stack.pop_back();
            }
        }
        std::cout << (ok && stack.empty() ? "YES" : "NO") << '\n';
    }
}
