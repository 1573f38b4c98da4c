#include <iostream>
#include <map>
#include <string>

int main() {
    int k;
    std::cin >> k;
    std::map<std::string, int> counts;
    char c;
    while (std::cin.get(c)) {
        // TODO: split the text into words (runs of letters, ignoring case)
        // and count them in counts.
    }
    // TODO: print the k most frequent words, one "word count" per line.
    return 0;
}
